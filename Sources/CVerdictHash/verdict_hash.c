/* Everything is inline in include/verdict_hash.h; SwiftPM needs one source file per C target. */
#include "verdict_hash.h"
