/*
 * The C half of Verdict's Lua sandbox.
 *
 * Swift owns the sandbox (VerdictScript.LuaSandbox); this file is the part that must be C:
 * the allocator that enforces the memory cap, the count hook that enforces the instruction
 * budget and the wall-clock limit, guarded versions of library functions that can run for a
 * long time without executing a Lua instruction, and the trampoline that raises Lua errors on
 * behalf of Swift host functions, so that no longjmp ever crosses a Swift frame.
 */
#ifndef VERDICT_LUA_SANDBOX_H
#define VERDICT_LUA_SANDBOX_H

#include <lua.h>
#include <stddef.h>
#include <stdint.h>

/* Which limit stopped the current call; sticky until the next top-level call begins. */
typedef enum {
    VS_LIMIT_NONE = 0,
    VS_LIMIT_MEMORY = 1,
    VS_LIMIT_INSTRUCTIONS = 2,
    VS_LIMIT_TIME = 3,
} vs_limit;

typedef struct vs_sandbox vs_sandbox;

/*
 * Called by the trampoline for each Swift host function. It reads its arguments and pushes its
 * results with API calls that cannot raise, and returns the number of results, or -1 after
 * pushing an error message (the trampoline prefixes the caller's file:line and raises it).
 */
typedef int (*vs_host_dispatch)(lua_State *L, void *owner, int function_id);

/* Receives one line written by the script's print(). Must not call into Lua. */
typedef void (*vs_print_sink)(void *owner, const char *text, size_t length);

typedef struct {
    size_t memory_bytes;      /* cap on everything the state allocates while a script runs */
    uint64_t instructions;    /* Lua VM instructions (plus pattern-matching steps) per call */
    double seconds;           /* wall-clock limit per call */
    void *owner;              /* handed back to dispatch and print_sink */
    vs_host_dispatch dispatch;
    vs_print_sink print_sink;
} vs_config;

/* Opens a sandboxed state. On failure returns NULL and writes a message into error_out. */
vs_sandbox *vs_open(const vs_config *config, char *error_out, size_t error_capacity);
void vs_close(vs_sandbox *sandbox);
lua_State *vs_state(vs_sandbox *sandbox);

/* Changes the limits used by later calls. */
void vs_set_limits(vs_sandbox *sandbox, size_t memory_bytes, uint64_t instructions, double seconds);

/*
 * Pushes a fresh environment: the allowed base functions, private copies of string, table,
 * math, utf8 and coroutine, and a math.random seeded with `seed`. Returns a Lua status; on
 * error the message is pushed instead.
 */
int vs_push_environment(vs_sandbox *sandbox, uint64_t seed);

/*
 * Compiles a text chunk (binary chunks are refused) whose first upvalue (_ENV) becomes the
 * table at env_index. Pushes the function, or an error message. Returns a Lua status.
 */
int vs_load(vs_sandbox *sandbox, const char *text, size_t length, const char *chunk_name,
            int env_index);

/*
 * Calls the function below the nargs arguments on top of the stack under all the limits, in
 * protected mode. Returns a Lua status; on error one value is left: the message followed by a
 * traceback. vs_tripped then tells whether a limit caused it.
 */
int vs_call(vs_sandbox *sandbox, int nargs, int nresults);

vs_limit vs_tripped(const vs_sandbox *sandbox);
/* The message for the limit that tripped, as the script's error reads it. */
void vs_limit_message(vs_sandbox *sandbox, char *buffer, size_t capacity);
/* The Lua line that was running when the memory limit tripped (0 if unknown) and its file. */
int vs_memory_trip_location(const vs_sandbox *sandbox, const char **file);
size_t vs_memory_used(const vs_sandbox *sandbox);
size_t vs_memory_limit(const vs_sandbox *sandbox);
uint64_t vs_instruction_limit(const vs_sandbox *sandbox);
double vs_time_limit(const vs_sandbox *sandbox);

/* Pushes a Lua function that calls dispatch(L, owner, function_id). */
void vs_push_host_function(vs_sandbox *sandbox, int function_id);

/*
 * Makes `require` available in environments built from now on. `resolver_id` is a host function
 * that takes a module name and returns its source text and chunk name (or raises); the sandbox
 * then loads the module in its own environment, once, and returns read-only views of its tables.
 */
void vs_enable_require(vs_sandbox *sandbox, int resolver_id);

/* The sandbox that owns a state (its allocator's user data). */
vs_sandbox *vs_from_state(lua_State *L);

/* Keeps the function at `index` for later calls; returns its reference. Never raises. */
int vs_ref_function(vs_sandbox *sandbox, int index);
/* Pushes a function kept by vs_ref_function (nil for an unknown reference). */
void vs_push_function(vs_sandbox *sandbox, int reference);
/* Drops a reference made by vs_ref_function, so the function can be collected. */
void vs_unref_function(vs_sandbox *sandbox, int reference);
/* A full garbage collection. */
void vs_collect_garbage(vs_sandbox *sandbox);
/* How many functions vs_ref_function keeps now. */
int vs_kept_function_count(vs_sandbox *sandbox);
/* The owner pointer given in vs_config. */
void *vs_owner(vs_sandbox *sandbox);

/* Pushes the unguarded string library as Lua shipped it, for differential tests only. */
void vs_push_stock_string_library(vs_sandbox *sandbox);

#endif
