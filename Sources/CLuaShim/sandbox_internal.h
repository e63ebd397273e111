/* Shared between the sandbox's C files; not part of the module's interface. */
#ifndef VERDICT_SANDBOX_INTERNAL_H
#define VERDICT_SANDBOX_INTERNAL_H

#include "lua_sandbox.h"

/*
 * Charges `steps` units of work done inside a C library function against the instruction
 * budget and checks the wall clock; raises the limit error (at the Lua caller's line) when a
 * limit is exceeded. Long-running guarded functions call it every few thousand steps.
 */
void vs_charge(lua_State *L, uint64_t steps);

/* How many steps guarded functions batch between two calls of vs_charge. */
#define VS_CHARGE_INTERVAL 4096u

/* Registers the guarded string pattern functions into the table on top of the stack. */
void vs_register_pattern_functions(lua_State *L);

/* Registers the guarded table.insert, table.remove and table.move into the table on top. */
void vs_register_table_functions(lua_State *L);

/* Sets math.random and math.randomseed in the table on top, seeded deterministically. */
void vs_register_random(lua_State *L, uint64_t seed);

#endif
