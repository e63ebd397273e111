/*
 * The sandboxed Lua state: allocator, limits, environments, trampoline.
 *
 * Limits are enforced in three places:
 *  - the allocator refuses growth past the memory cap while a script runs;
 *  - a count hook, every HOOK_INTERVAL instructions, charges the instruction budget and reads
 *    the monotonic clock;
 *  - guarded library functions (pattern matching, table shifting) call vs_charge from their
 *    inner loops, because the hook never fires inside a C function.
 * Once a limit trips it stays tripped until the next top-level call: the hook then fires on
 * every instruction of every thread that runs, so pcall, xpcall handlers and coroutines can
 * catch the error only to have it raised again at their very next instruction.
 */
#include "sandbox_internal.h"

#include <lauxlib.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HOOK_INTERVAL 1000
#define STOCK_STRING_KEY "verdict.stock_string"
#define LIBRARIES_KEY "verdict.libraries"
#define BASE_KEY "verdict.base"
#define FUNCTIONS_KEY "verdict.functions"
#define PRINT_LIMIT (1u << 20)

struct vs_sandbox {
    lua_State *L;
    vs_config config;

    size_t used;              /* bytes currently allocated by the state */
    int enforce;              /* refuse allocations past the cap (only while script code runs) */
    int running;              /* a top-level vs_call is in progress */
    vs_limit tripped;

    uint64_t instructions;    /* charged during the current call */
    double deadline;          /* monotonic seconds */
    size_t printed;           /* bytes printed during the current call */

    /* The last refused request. The Lua core retries a refused allocation once after an
     * emergency collection, so a refusal trips the limit only provisionally: if the very next
     * allocation is that retry and it succeeds, nothing was exceeded. (The auxiliary library's
     * buffers do not retry; for them the first refusal is final.) */
    const void *refused_block;
    size_t refused_old, refused_new;
    int provisional;
    int depth_at_trip;        /* Lua call depth of the main thread when memory ran out */
    char trip_file[256];      /* the innermost Lua line running when memory ran out */
    int trip_line;
    int resolver_id;          /* host function resolving module names, or -1: no require */
};

static const char *const BASE_FUNCTIONS[] = {
    "assert", "error", "getmetatable", "ipairs", "next", "pairs", "pcall", "rawequal",
    "rawget", "rawlen", "rawset", "select", "tonumber", "tostring", "type", NULL,
};

static const char *const LIBRARY_NAMES[] = {"string", "table", "math", "utf8", "coroutine", NULL};

static double monotonic_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static vs_sandbox *sandbox_of(lua_State *L) {
    void *ud = NULL;
    lua_getallocf(L, &ud);
    return (vs_sandbox *)ud;
}


/* ---- allocator ---------------------------------------------------------------------- */

/* The main thread's call depth; walks the CallInfo list, allocating nothing. */
static int call_depth(lua_State *L) {
    lua_Debug record;
    int low = 0, high = 1;
    while (lua_getstack(L, high, &record)) {
        low = high;
        high *= 2;
    }
    while (high - low > 1) {
        int middle = low + (high - low) / 2;
        if (lua_getstack(L, middle, &record)) low = middle;
        else high = middle;
    }
    return low + 1;
}

/* Remembers the innermost Lua line of the main thread (getinfo "Sl" allocates nothing). */
static void record_trip_location(vs_sandbox *s) {
    lua_Debug record;
    s->trip_line = 0;
    for (int level = 0; lua_getstack(s->L, level, &record); level++) {
        if (lua_getinfo(s->L, "Sl", &record) && record.currentline > 0 && record.source[0] == '@') {
            snprintf(s->trip_file, sizeof s->trip_file, "%s", record.source + 1);
            s->trip_line = record.currentline;
            return;
        }
    }
}

static void *sandbox_alloc(void *ud, void *block, size_t old_size, size_t new_size) {
    vs_sandbox *s = ud;
    size_t old = block ? old_size : 0;  /* for a new block old_size is a type tag */
    if (new_size == 0) {
        free(block);
        s->used -= old;
        return NULL;
    }
    if (s->enforce && new_size > old && s->used - old + new_size > s->config.memory_bytes) {
        if (!s->tripped) {
            s->tripped = VS_LIMIT_MEMORY;
            s->provisional = 1;
            s->depth_at_trip = call_depth(s->L);
            record_trip_location(s);
        }
        s->refused_block = block;
        s->refused_old = old;
        s->refused_new = new_size;
        return NULL;
    }
    void *grown = realloc(block, new_size);
    if (grown == NULL) return NULL;
    s->used = s->used - old + new_size;
    if (s->provisional) {
        int retry = block == s->refused_block && old == s->refused_old && new_size == s->refused_new;
        if (retry) s->tripped = VS_LIMIT_NONE;  /* the emergency collection made room */
        s->provisional = 0;
    }
    return grown;
}

static int panic_handler(lua_State *L) {
    const char *message = lua_tostring(L, -1);
    fprintf(stderr, "verdict: unprotected Lua error: %s\n", message ? message : "(no message)");
    abort();
}

/* ---- limits ------------------------------------------------------------------------- */

static const char *limit_description(vs_sandbox *s, char *buffer, size_t capacity) {
    switch (s->tripped) {
    case VS_LIMIT_MEMORY:
        if (s->depth_at_trip > 10000) {
            snprintf(buffer, capacity,
                     "memory limit exceeded: the script needed more than %zu KB while %d calls "
                     "deep (runaway recursion?)",
                     s->config.memory_bytes / 1024, s->depth_at_trip);
        } else {
            snprintf(buffer, capacity, "memory limit exceeded: the script needed more than %zu KB",
                     s->config.memory_bytes / 1024);
        }
        break;
    case VS_LIMIT_INSTRUCTIONS:
        snprintf(buffer, capacity,
                 "instruction limit exceeded: the script ran more than %llu instructions "
                 "(an endless loop?)",
                 (unsigned long long)s->config.instructions);
        break;
    case VS_LIMIT_TIME:
        snprintf(buffer, capacity, "time limit exceeded: the script ran longer than %g s",
                 s->config.seconds);
        break;
    default:
        snprintf(buffer, capacity, "script stopped");
    }
    return buffer;
}

static void count_hook(lua_State *L, lua_Debug *ar);

/*
 * Raises the sticky limit error. `level` is the stack level whose line the message names:
 * 0 from the hook (the running Lua function), 1 from a C library function (its Lua caller).
 */
static int raise_limit(lua_State *L, vs_sandbox *s, int level) {
    /* From now on every instruction of this thread and of the main thread raises again. */
    lua_sethook(L, count_hook, LUA_MASKCOUNT, 1);
    if (L != s->L) lua_sethook(s->L, count_hook, LUA_MASKCOUNT, 1);
    int enforce = s->enforce;
    s->enforce = 0;  /* the message itself must be allocated */
    char text[160];
    luaL_where(L, level);
    lua_pushstring(L, limit_description(s, text, sizeof text));
    lua_concat(L, 2);
    s->enforce = enforce;
    return lua_error(L);
}

static void check_limits(vs_sandbox *s) {
    if (s->tripped) return;
    if (s->instructions > s->config.instructions) {
        s->tripped = VS_LIMIT_INSTRUCTIONS;
    } else if (monotonic_seconds() > s->deadline) {
        s->tripped = VS_LIMIT_TIME;
    }
}

static void count_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    vs_sandbox *s = sandbox_of(L);
    if (!s->running) return;
    if (!s->tripped) {
        s->instructions += HOOK_INTERVAL;
        check_limits(s);
    }
    if (s->tripped) raise_limit(L, s, 0);
}

void vs_charge(lua_State *L, uint64_t steps) {
    vs_sandbox *s = sandbox_of(L);
    if (!s->running) return;
    s->instructions += steps;
    check_limits(s);
    if (s->tripped) raise_limit(L, s, 1);
}

/* ---- replaced base functions -------------------------------------------------------- */

/* setmetatable without __gc: finalizers run with hooks disabled, so no limit could stop one. */
static int sandbox_setmetatable(lua_State *L) {
    int kind = lua_type(L, 2);
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_argexpected(L, kind == LUA_TNIL || kind == LUA_TTABLE, 2, "nil or table");
    if (kind == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        int has_gc = lua_rawget(L, 2) != LUA_TNIL;  /* stack: t, mt, mt.__gc */
        lua_pop(L, 1);
        if (has_gc) return luaL_error(L, "__gc metamethods are not allowed in Verdict scripts");
    }
    if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL) {
        return luaL_error(L, "cannot change a protected metatable");
    }
    lua_settop(L, 2);
    lua_setmetatable(L, 1);
    return 1;  /* stack: t */
}

/*
 * xpcall's message handler runs before the stack unwinds. When the error is a limit raised by
 * the count hook, Lua still has hooks switched off at that point (the enclosing pcall turns
 * them back on only after unwinding), so a handler that loops could never be stopped. The
 * sandbox's xpcall therefore wraps the handler: once a limit has tripped, the limit's error
 * passes through unchanged and no script code runs.
 */
static int guarded_message_handler(lua_State *L) {
    if (sandbox_of(L)->tripped) return 1;  /* stack: error */
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);  /* stack: handler, error */
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

static int finish_xpcall(lua_State *L, int status, lua_KContext base) {
    if (status != LUA_OK && status != LUA_YIELD) {  /* stack: f, handler, true, error */
        lua_pushboolean(L, 0);
        lua_pushvalue(L, -2);
        return 2;  /* false, error */
    }
    return lua_gettop(L) - (int)base;  /* true, results... */
}

static int sandbox_xpcall(lua_State *L) {
    int count = lua_gettop(L);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 2);
    lua_pushcclosure(L, guarded_message_handler, 1);
    lua_replace(L, 2);           /* stack: f, guarded handler, args... */
    lua_pushboolean(L, 1);
    lua_pushvalue(L, 1);
    lua_rotate(L, 3, 2);         /* stack: f, guarded handler, true, f, args... */
    int status = lua_pcallk(L, count - 2, LUA_MULTRET, 2, 2, finish_xpcall);
    return finish_xpcall(L, status, 2);
}

/* Where load(reader, ...) keeps the reader's latest piece: above the four arguments, so the
 * chunk name in slot 2 stays anchored while the parser uses it (as Lua's own RESERVEDSLOT). */
#define READER_FUNCTION_SLOT 1
#define READER_PIECE_SLOT 5

/* Reads the pieces of a chunk from a Lua function, as load(f) does.
 * stack: reader, name, mode, env, piece (each call replaces the piece) */
static const char *read_chunk_piece(lua_State *L, void *ud, size_t *size) {
    (void)ud;
    luaL_checkstack(L, 2, "too many nested functions");
    lua_pushvalue(L, READER_FUNCTION_SLOT);
    lua_call(L, 0, 1);  /* stack: reader, name, mode, env, old piece, piece */
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        *size = 0;
        return NULL;
    }
    if (!lua_isstring(L, -1)) luaL_error(L, "reader function must return a string");
    /* The piece must stay alive until the parser asks for the next one; converting a number
     * allocates, and may collect, only once it sits in its own slot. */
    lua_replace(L, READER_PIECE_SLOT);
    return lua_tolstring(L, READER_PIECE_SLOT, size);
}

/* load(chunk [, chunkname [, mode [, env]]]) for text only; env defaults to the script's. */
static int sandbox_load(lua_State *L) {
    int has_env = !lua_isnone(L, 4);
    const char *mode = luaL_optstring(L, 3, "t");
    if (strchr(mode, 't') == NULL) {
        luaL_pushfail(L);
        lua_pushliteral(L, "load: only text chunks can be loaded in Verdict scripts");
        return 2;
    }
    int status;
    if (lua_type(L, 1) == LUA_TSTRING) {
        size_t length;
        const char *text = lua_tolstring(L, 1, &length);
        const char *name = luaL_optstring(L, 2, text);
        status = luaL_loadbufferx(L, text, length, name, "t");
    } else {
        luaL_checktype(L, 1, LUA_TFUNCTION);
        const char *name = luaL_optstring(L, 2, "=(load)");
        lua_settop(L, READER_PIECE_SLOT);  /* stack: reader, name, mode, env, piece */
        status = lua_load(L, read_chunk_piece, NULL, name, "t");
    }
    if (status != LUA_OK) {
        luaL_pushfail(L);
        lua_insert(L, -2);  /* stack: ..., fail, message */
        return 2;
    }
    if (has_env) lua_pushvalue(L, 4);
    else lua_pushvalue(L, lua_upvalueindex(1));
    if (lua_setupvalue(L, -2, 1) == NULL) lua_pop(L, 1);  /* stack: ..., function */
    return 1;
}

/* print(...): one line to the host's sink, tab-separated as Lua's own print. */
static int sandbox_print(lua_State *L) {
    vs_sandbox *s = sandbox_of(L);
    int n = lua_gettop(L);
    luaL_Buffer line;
    luaL_buffinit(L, &line);
    for (int i = 1; i <= n; i++) {
        if (i > 1) luaL_addchar(&line, '\t');
        luaL_tolstring(L, i, NULL);
        luaL_addvalue(&line);
    }
    luaL_pushresult(&line);
    size_t length;
    const char *text = lua_tolstring(L, -1, &length);
    if (s->config.print_sink != NULL && s->printed < PRINT_LIMIT) {
        s->printed += length + 1;
        if (s->printed >= PRINT_LIMIT) {
            static const char cut[] = "(print output cut: more than 1 MB in one run)";
            s->config.print_sink(s->config.owner, cut, sizeof cut - 1);
        } else {
            s->config.print_sink(s->config.owner, text, length);
        }
    }
    return 0;
}

/* ---- host functions ----------------------------------------------------------------- */

/* Pushes "file:line: " of the nearest Lua function on the call stack (C callers skipped). */
void vs_push_lua_location(lua_State *L) {
    lua_Debug record;
    for (int level = 1; lua_getstack(L, level, &record); level++) {
        if (lua_getinfo(L, "Sl", &record) && record.currentline > 0) {
            lua_pushfstring(L, "%s:%d: ", record.short_src, record.currentline);
            return;
        }
    }
    lua_pushliteral(L, "");
}

int vs_host_trampoline(lua_State *L) {
    vs_sandbox *s = sandbox_of(L);
    int function_id = (int)lua_tointeger(L, lua_upvalueindex(1));
    int enforce = s->enforce;
    s->enforce = 0;  /* Swift is on the stack: nothing may raise, so no allocation may fail */
    int results = s->config.dispatch(L, s->config.owner, function_id);
    s->enforce = enforce;
    if (results < 0) {
        vs_push_lua_location(L);
        lua_insert(L, -2);
        lua_concat(L, 2);  /* stack: ..., "file:line: message" */
        return lua_error(L);
    }
    return results;
}

void vs_push_host_function(vs_sandbox *s, int function_id) {
    lua_pushinteger(s->L, function_id);
    lua_pushcclosure(s->L, vs_host_trampoline, 1);
}

/* ---- state set-up ------------------------------------------------------------------- */

static void copy_fields(lua_State *L, int from, int to) {
    from = lua_absindex(L, from);
    to = lua_absindex(L, to);
    lua_pushnil(L);
    while (lua_next(L, from) != 0) {  /* stack: key, value */
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, to);  /* stack: key */
    }
}

/* Opens a library without publishing it anywhere a script can reach. Leaves it on the stack. */
static void open_library(lua_State *L, const char *name, lua_CFunction open) {
    luaL_requiref(L, name, open, 0);
    lua_getfield(L, LUA_REGISTRYINDEX, LIBRARIES_KEY);
    lua_pushvalue(L, -2);
    lua_setfield(L, -2, name);
    lua_pop(L, 1);  /* stack: library */
}

static void new_weak_table(lua_State *L, const char *key, const char *mode) {
    lua_newtable(L);
    lua_createtable(L, 0, 1);
    lua_pushstring(L, mode);
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    lua_setfield(L, LUA_REGISTRYINDEX, key);
}

static int setup_state(lua_State *L) {
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, LIBRARIES_KEY);
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, MODULES_KEY);
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, LOADING_KEY);
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, FUNCTIONS_KEY);
    new_weak_table(L, PROXIES_KEY, "k");
    new_weak_table(L, PROXY_CACHE_KEY, "k");

    /* Base functions land in the global table; keep the allowed ones, then empty it. */
    luaL_requiref(L, "_G", luaopen_base, 0);  /* stack: globals */
    lua_newtable(L);                           /* stack: globals, base */
    for (const char *const *name = BASE_FUNCTIONS; *name; name++) {
        lua_getfield(L, -2, *name);
        lua_setfield(L, -2, *name);
    }
    lua_setfield(L, LUA_REGISTRYINDEX, BASE_KEY);
    lua_pop(L, 1);
    lua_newtable(L);
    lua_rawseti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);

    open_library(L, LUA_STRLIBNAME, luaopen_string);  /* stack: string */
    lua_newtable(L);
    copy_fields(L, -2, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, STOCK_STRING_KEY);
    lua_pushnil(L);
    lua_setfield(L, -2, "dump");
    vs_register_pattern_functions(L);
    lua_pop(L, 1);
    /* String methods resolve through this metatable; hide it from getmetatable(""). */
    lua_pushliteral(L, "");
    lua_getmetatable(L, -1);  /* stack: "", mt */
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 2);

    open_library(L, LUA_TABLIBNAME, luaopen_table);
    vs_register_table_functions(L);
    lua_pop(L, 1);

    open_library(L, LUA_MATHLIBNAME, luaopen_math);
    lua_pushnil(L);
    lua_setfield(L, -2, "random");
    lua_pushnil(L);
    lua_setfield(L, -2, "randomseed");
    lua_pop(L, 1);

    open_library(L, LUA_UTF8LIBNAME, luaopen_utf8);
    lua_pop(L, 1);
    open_library(L, LUA_COLIBNAME, luaopen_coroutine);
    lua_pop(L, 1);
    return 0;
}

vs_sandbox *vs_open(const vs_config *config, char *error_out, size_t error_capacity) {
    vs_sandbox *s = calloc(1, sizeof *s);
    if (s == NULL) {
        snprintf(error_out, error_capacity, "out of memory");
        return NULL;
    }
    s->config = *config;
    s->resolver_id = -1;
    s->L = lua_newstate(sandbox_alloc, s);
    if (s->L == NULL) {
        snprintf(error_out, error_capacity, "cannot create a Lua state");
        free(s);
        return NULL;
    }
    lua_atpanic(s->L, panic_handler);
    lua_pushcfunction(s->L, setup_state);
    if (lua_pcall(s->L, 0, 0, 0) != LUA_OK) {
        snprintf(error_out, error_capacity, "cannot set up the Lua sandbox: %s",
                 lua_tostring(s->L, -1));
        vs_close(s);
        return NULL;
    }
    return s;
}

void vs_close(vs_sandbox *s) {
    if (s == NULL) return;
    lua_close(s->L);
    free(s);
}

lua_State *vs_state(vs_sandbox *s) { return s->L; }

void vs_set_limits(vs_sandbox *s, size_t memory_bytes, uint64_t instructions, double seconds) {
    s->config.memory_bytes = memory_bytes;
    s->config.instructions = instructions;
    s->config.seconds = seconds;
}

/* ---- environments ------------------------------------------------------------------- */

int vs_build_environment(lua_State *L) {
    uint64_t seed = (uint64_t)lua_tointeger(L, 1);
    lua_newtable(L);  /* stack: seed, env */
    int env = lua_gettop(L);

    lua_getfield(L, LUA_REGISTRYINDEX, BASE_KEY);
    copy_fields(L, -1, env);
    lua_pop(L, 1);
    lua_pushcfunction(L, sandbox_setmetatable);
    lua_setfield(L, env, "setmetatable");
    lua_pushcfunction(L, sandbox_xpcall);
    lua_setfield(L, env, "xpcall");
    lua_pushcfunction(L, vs_sandbox_rawset);
    lua_setfield(L, env, "rawset");
    vs_sandbox *s = sandbox_of(L);
    if (s->resolver_id >= 0) {
        lua_pushinteger(L, s->resolver_id);
        lua_pushcclosure(L, vs_host_trampoline, 1);
        lua_pushcclosure(L, vs_sandbox_require, 1);
        lua_setfield(L, env, "require");
    }
    lua_pushvalue(L, env);
    lua_pushcclosure(L, sandbox_load, 1);
    lua_setfield(L, env, "load");
    lua_pushcfunction(L, sandbox_print);
    lua_setfield(L, env, "print");
    lua_pushvalue(L, env);
    lua_setfield(L, env, "_G");
    lua_pushliteral(L, LUA_VERSION);
    lua_setfield(L, env, "_VERSION");

    /* Private copies: what one script does to its string table no other script sees. */
    lua_getfield(L, LUA_REGISTRYINDEX, LIBRARIES_KEY);  /* stack: seed, env, libraries */
    for (const char *const *name = LIBRARY_NAMES; *name; name++) {
        lua_getfield(L, -1, *name);
        lua_newtable(L);
        copy_fields(L, -2, -1);  /* stack: ..., libraries, original, copy */
        if (strcmp(*name, "math") == 0) vs_register_random(L, seed);
        lua_setfield(L, env, *name);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return 1;  /* stack: env */
}

int vs_push_environment(vs_sandbox *s, uint64_t seed) {
    lua_State *L = s->L;
    lua_pushcfunction(L, vs_build_environment);
    lua_pushinteger(L, (lua_Integer)seed);
    return lua_pcall(L, 1, 1, 0);
}

/* ---- loading and calling ------------------------------------------------------------ */

int vs_load(vs_sandbox *s, const char *text, size_t length, const char *chunk_name,
            int env_index) {
    lua_State *L = s->L;
    env_index = lua_absindex(L, env_index);
    if (length > 0 && text[0] == LUA_SIGNATURE[0]) {
        lua_pushliteral(L, "binary (precompiled) chunks are not allowed; load the Lua source");
        return LUA_ERRSYNTAX;
    }
    s->enforce = 1;
    int status = luaL_loadbufferx(L, text, length, chunk_name, "t");
    s->enforce = 0;
    if (status != LUA_OK) return status;
    lua_pushvalue(L, env_index);
    if (lua_setupvalue(L, -2, 1) == NULL) lua_pop(L, 1);  /* stack: function */
    return LUA_OK;
}

/* Appends a traceback to the error; never runs script code (no __tostring). */
static int message_handler(lua_State *L) {
    vs_sandbox *s = sandbox_of(L);
    int enforce = s->enforce;
    s->enforce = 0;
    const char *message = lua_type(L, 1) == LUA_TSTRING || lua_type(L, 1) == LUA_TNUMBER
                              ? lua_tostring(L, 1)
                              : lua_pushfstring(L, "(error object is a %s value)",
                                                luaL_typename(L, 1));
    luaL_traceback(L, L, message, 1);
    s->enforce = enforce;
    return 1;
}

int vs_call(vs_sandbox *s, int nargs, int nresults) {
    lua_State *L = s->L;
    if (s->running) {
        lua_pushliteral(L, "the Lua sandbox is already running a script");
        return LUA_ERRRUN;
    }
    int handler = lua_gettop(L) - nargs;
    lua_pushcfunction(L, message_handler);
    lua_insert(L, handler);  /* stack: handler, function, args... */

    s->tripped = VS_LIMIT_NONE;
    s->instructions = 0;
    s->printed = 0;
    s->refused_block = NULL;
    s->refused_new = 0;
    s->provisional = 0;
    s->depth_at_trip = 0;
    s->deadline = monotonic_seconds() + s->config.seconds;
    s->running = 1;
    s->enforce = 1;
    lua_sethook(L, count_hook, LUA_MASKCOUNT, HOOK_INTERVAL);

    int status = lua_pcall(L, nargs, nresults, handler);

    s->enforce = 0;
    s->running = 0;
    lua_sethook(L, NULL, 0, 0);
    lua_remove(L, handler);
    if (s->tripped == VS_LIMIT_MEMORY) lua_gc(L, LUA_GCCOLLECT);
    return status;
}

vs_limit vs_tripped(const vs_sandbox *s) { return s->tripped; }

void vs_limit_message(vs_sandbox *s, char *buffer, size_t capacity) {
    limit_description(s, buffer, capacity);
}

int vs_memory_trip_location(const vs_sandbox *s, const char **file) {
    *file = s->trip_file;
    return s->tripped == VS_LIMIT_MEMORY ? s->trip_line : 0;
}
size_t vs_memory_used(const vs_sandbox *s) { return s->used; }
size_t vs_memory_limit(const vs_sandbox *s) { return s->config.memory_bytes; }
uint64_t vs_instruction_limit(const vs_sandbox *s) { return s->config.instructions; }
double vs_time_limit(const vs_sandbox *s) { return s->config.seconds; }

vs_sandbox *vs_from_state(lua_State *L) { return sandbox_of(L); }

void vs_enable_require(vs_sandbox *s, int resolver_id) { s->resolver_id = resolver_id; }

int vs_ref_function(vs_sandbox *s, int index) {
    lua_State *L = s->L;
    index = lua_absindex(L, index);
    lua_getfield(L, LUA_REGISTRYINDEX, FUNCTIONS_KEY);  /* stack: functions */
    lua_pushvalue(L, index);
    int reference = luaL_ref(L, -2);                    /* stack: functions */
    lua_pop(L, 1);
    return reference;
}

void vs_push_function(vs_sandbox *s, int reference) {
    lua_getfield(s->L, LUA_REGISTRYINDEX, FUNCTIONS_KEY);
    lua_rawgeti(s->L, -1, reference);
    lua_remove(s->L, -2);
}

void vs_unref_function(vs_sandbox *s, int reference) {
    lua_getfield(s->L, LUA_REGISTRYINDEX, FUNCTIONS_KEY);  /* stack: functions */
    luaL_unref(s->L, -1, reference);
    lua_pop(s->L, 1);                                      /* stack: (as before) */
}

void *vs_owner(vs_sandbox *s) { return s->config.owner; }

void vs_collect_garbage(vs_sandbox *s) { lua_gc(s->L, LUA_GCCOLLECT); }

int vs_kept_function_count(vs_sandbox *s) {
    lua_State *L = s->L;
    int count = 0;
    lua_getfield(L, LUA_REGISTRYINDEX, FUNCTIONS_KEY);  /* stack: functions */
    lua_pushnil(L);                                     /* stack: functions, key */
    while (lua_next(L, -2) != 0) {                      /* stack: functions, key, value */
        if (lua_type(L, -1) != LUA_TNUMBER) count++;    /* luaL_ref keeps its free list as numbers */
        lua_pop(L, 1);                                  /* stack: functions, key */
    }
    lua_pop(L, 1);                                      /* stack: (as before) */
    return count;
}

void vs_push_stock_string_library(vs_sandbox *s) {
    lua_getfield(s->L, LUA_REGISTRYINDEX, STOCK_STRING_KEY);
}
