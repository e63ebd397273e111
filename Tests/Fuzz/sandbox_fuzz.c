/*
 * A libFuzzer target over Verdict's Lua sandbox (Sources/CLuaShim), built with AddressSanitizer
 * and UndefinedBehaviorSanitizer by `make sanitize` and `make fuzz`.
 *
 * One input is one of:
 *   - a Lua chunk (any input that does not start with a mode byte): loaded and run in a fresh
 *     script environment, as an experiment or plugin would be. The hostile corpus is run so.
 *   - 0x01 pieces...    load(reader, name): the pieces, split at NUL bytes, are what the reader
 *                        returns one after another (a piece "#123" is returned as the number 123;
 *                        the first piece is the chunk name); the loaded chunk is then run.
 *   - 0x02 fmt args...  string.format(fmt, args...), args split at NUL (numbers where they read as one).
 *   - 0x03 s p r        string.find, match, gmatch, gsub (with r as text, a table, a function)
 *                        of subject s and pattern p, and the same as methods.
 *   - 0x04 sep i j xs   table.concat(xs, sep, i, j), then table.insert, remove and move over xs.
 * Every input runs under the sandbox's limits; a limit is an error, and any crash, leak or
 * memory error is the finding. After each input the harness checks the Lua stack is as it was.
 */
#include "lua_sandbox.h"

#include <lauxlib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const DRIVERS[] = {
    /* 0x01 load with a reader */
    "local pieces = ...\n"
    "local name = table.remove(pieces, 1) or '=fuzz'\n"
    "local i = 0\n"
    "local f = load(function()\n"
    "  i = i + 1\n"
    "  local piece = pieces[i]\n"
    "  if piece and piece:sub(1, 1) == '#' then return tonumber(piece:sub(2)) or piece end\n"
    "  return piece\n"
    "end, name)\n"
    "if f then pcall(f) end\n"
    "return load(function() return nil end, name:rep(3))\n",
    /* 0x02 string.format */
    "local args = ...\n"
    "local fmt = table.remove(args, 1) or ''\n"
    "for k = 1, #args do args[k] = math.tointeger(tonumber(args[k])) or tonumber(args[k]) or args[k] end\n"
    "pcall(string.format, fmt, table.unpack(args))\n"
    "pcall(string.format, fmt, fmt, 1, 2.5, -0.0, math.maxinteger, math.mininteger, 1/0, 0/0, true, {})\n",
    /* 0x03 patterns */
    "local parts = ...\n"
    "local s, p, r = parts[1] or '', parts[2] or '', parts[3] or ''\n"
    "pcall(string.find, s, p)\n"
    "pcall(string.find, s, p, -3)\n"
    "pcall(string.find, s, p, 1, true)\n"
    "pcall(string.match, s, p, 2)\n"
    "pcall(function() local n = 0 for a in s:gmatch(p) do n = n + 1 if n > 100 then break end end end)\n"
    "pcall(string.gsub, s, p, r)\n"
    "pcall(string.gsub, s, p, { a = r, [s] = 1 }, 10)\n"
    "pcall(string.gsub, s, p, function(...) return select('#', ...) > 1 and r or nil end)\n"
    "pcall(function() return s:find(p), s:match(p), s:gsub(p, '%0%0') end)\n",
    /* 0x04 table functions */
    "local parts = ...\n"
    "local sep = table.remove(parts, 1) or ''\n"
    "local i = math.tointeger(tonumber(table.remove(parts, 1) or '')) or 1\n"
    "local j = math.tointeger(tonumber(table.remove(parts, 1) or ''))\n"
    "pcall(table.concat, parts, sep, i, j)\n"
    "pcall(table.concat, parts, sep)\n"
    "pcall(table.insert, parts, i, sep)\n"
    "pcall(table.insert, parts, sep)\n"
    "pcall(table.remove, parts, j)\n"
    "pcall(table.move, parts, i, j or #parts, 2)\n"
    "pcall(table.move, parts, 1, #parts, i, {})\n"
    "pcall(table.concat, setmetatable({}, { __index = function(_, k) return parts[k] end, __len = function() return i end }), sep)\n",
};

static vs_sandbox *sandbox;

static void silent_print(void *owner, const char *text, size_t length) {
    (void)owner;
    (void)text;
    (void)length;
}

static int no_host_functions(lua_State *L, void *owner, int function_id) {
    (void)owner;
    (void)function_id;
    lua_pushliteral(L, "no host functions in the fuzzer");
    return -1;
}

static void open_sandbox(void) {
    /* The standard limits' memory cap (the hostile corpus is sized for it); a smaller
     * instruction budget and clock, so that each input is quick. */
    vs_config config = {
        .memory_bytes = 64u << 20,
        .instructions = 5000000,
        .seconds = 2.0,
        .owner = NULL,
        .dispatch = no_host_functions,
        .print_sink = silent_print,
    };
    char message[256];
    sandbox = vs_open(&config, message, sizeof message);
    if (sandbox == NULL) {
        fprintf(stderr, "sandbox_fuzz: cannot open the sandbox: %s\n", message);
        abort();
    }
}

/* Pushes the NUL-separated parts of data as a Lua table (1-based). */
static void push_parts(lua_State *L, const uint8_t *data, size_t size) {
    lua_createtable(L, 8, 0);
    size_t start = 0;
    lua_Integer index = 1;
    for (size_t k = 0; k <= size; k++) {
        if (k == size || data[k] == 0) {
            lua_pushlstring(L, (const char *)data + start, k - start);
            lua_rawseti(L, -2, index++);
            start = k + 1;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (sandbox == NULL) open_sandbox();
    lua_State *L = vs_state(sandbox);
    int top = lua_gettop(L);
    if (vs_push_environment(sandbox, 42) != LUA_OK) abort();  /* stack: env */
    int mode = size > 0 && data[0] >= 1 && data[0] <= 4 ? data[0] : 0;
    int status;
    if (mode == 0) {
        status = vs_load(sandbox, (const char *)data, size, "@fuzz.lua", -1);
        if (status == LUA_OK) status = vs_call(sandbox, 0, 0);
    } else {
        const char *driver = DRIVERS[mode - 1];
        status = vs_load(sandbox, driver, strlen(driver), "@driver.lua", -1);
        if (status != LUA_OK) {
            fprintf(stderr, "sandbox_fuzz: driver %d does not compile: %s\n", mode, lua_tostring(L, -1));
            abort();
        }
        push_parts(L, data + 1, size - 1);  /* stack: env, driver, parts */
        status = vs_call(sandbox, 1, 0);
    }
    (void)status;  /* an error, a limit among them, is a correct outcome */
    lua_settop(L, top);
    if (lua_gettop(L) != top) abort();
    vs_collect_garbage(sandbox);
    return 0;
}
