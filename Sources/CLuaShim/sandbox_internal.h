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

/* Registry keys shared between the sandbox's files. */
#define MODULES_KEY "verdict.modules"
#define LOADING_KEY "verdict.loading"
#define PROXIES_KEY "verdict.readonly_proxies"
#define PROXY_CACHE_KEY "verdict.readonly_cache"

/* Pushes "file:line: " of the nearest Lua function on the call stack (C callers skipped). */
void vs_push_lua_location(lua_State *L);

/* Calls the Swift host function whose id is upvalue 1 and raises its error, if any. */
int vs_host_trampoline(lua_State *L);

/* Builds a script environment (argument 1: the random seed); leaves it on the stack. */
int vs_build_environment(lua_State *L);

/* rawset that refuses read-only views (modules.c). */
int vs_sandbox_rawset(lua_State *L);

/* require(name), with the resolver host function as upvalue 1 (modules.c). */
int vs_sandbox_require(lua_State *L);

/* Registers the guarded string pattern functions into the table on top of the stack. */
void vs_register_pattern_functions(lua_State *L);

/* Registers the guarded table.insert, table.remove and table.move into the table on top. */
void vs_register_table_functions(lua_State *L);

/* Sets math.random and math.randomseed in the table on top, seeded deterministically. */
void vs_register_random(lua_State *L, uint64_t seed);

#endif
