/*
 * The small mixing functions Verdict uses everywhere, in one place: FNV-1a (stable 64-bit hashes
 * of names and keys: chunk and module seeds, customer-mask slots; 32-bit for flag bucketing) and
 * SplitMix64 (seeding
 * generators, the switchback schedule, the bootstrap's draws). Header-only, so C and Swift
 * callers inline them. Their outputs are documented (docs/lua-api.md, docs/report-json.md):
 * changing either changes seeds and schedules.
 */
#ifndef VERDICT_HASH_H
#define VERDICT_HASH_H

#include <stddef.h>
#include <stdint.h>

/* FNV-1a, 64-bit, over `length` bytes. */
static inline uint64_t vh_fnv1a(const void *bytes, size_t length) {
    const unsigned char *p = (const unsigned char *)bytes;
    uint64_t hash = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < length; i++) hash = (hash ^ p[i]) * 0x100000001b3ULL;
    return hash;
}

/* FNV-1a, 32-bit, over UTF-16 code units: what a JavaScript `charCodeAt` loop computes, so a
   website assigns flag variants exactly as Verdict does (docs/flags.md). */
static inline uint32_t vh_fnv1a32_utf16(const uint16_t *units, size_t count) {
    uint32_t hash = 0x811c9dc5u;
    for (size_t i = 0; i < count; i++) hash = (hash ^ units[i]) * 0x01000193u;
    return hash;
}

/* SplitMix64's output function (Steele, Lea and Flood), applied to one 64-bit value. */
static inline uint64_t vh_splitmix64_mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* SplitMix64's golden-ratio increment. */
#define VH_SPLITMIX64_GAMMA 0x9e3779b97f4a7c15ULL

/* The next value of a SplitMix64 generator whose state is *state. */
static inline uint64_t vh_splitmix64_next(uint64_t *state) {
    *state += VH_SPLITMIX64_GAMMA;
    return vh_splitmix64_mix(*state);
}

#endif
