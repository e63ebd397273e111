/*
 * Modules: `require` and the read-only views through which a module's tables are seen.
 *
 * The host resolves a module name to source text (only inside plugin folders); this file loads
 * it in an environment of its own, once per sandbox, and hands out read-only views of what it
 * returned, so that no plugin can change what another plugin or a script sees.
 */
#include "verdict_hash.h"
#include <string.h>
#include "sandbox_internal.h"

#include <lauxlib.h>

/* ---- read-only views ----------------------------------------------------------------- */

/*
 * A module's tables reach other scripts only through read-only views: an empty proxy whose
 * metatable reads through to the table (wrapping nested tables in views too), refuses writes,
 * and is protected. `rawset` refuses proxies as well, so a plugin cannot change what another
 * plugin or script sees.
 */
static void push_readonly(lua_State *L, int index);

static int readonly_index(lua_State *L) {
    lua_pushvalue(L, 2);
    /* A plain read; a module's own __index (kpi's "did you mean") answers for a missing key. */
    lua_gettable(L, lua_upvalueindex(1));  /* stack: proxy, key, value */
    if (lua_type(L, -1) == LUA_TTABLE) push_readonly(L, -1);
    return 1;
}

static int readonly_newindex(lua_State *L) {
    vs_push_lua_location(L);
    lua_pushliteral(L, "cannot change a read-only table (a module's tables belong to the module)");
    lua_concat(L, 2);
    return lua_error(L);
}

static int readonly_length(lua_State *L) {
    lua_pushinteger(L, (lua_Integer)lua_rawlen(L, lua_upvalueindex(1)));
    return 1;
}

static int readonly_next(lua_State *L) {
    lua_settop(L, 2);  /* stack: proxy, key */
    if (lua_next(L, lua_upvalueindex(1)) == 0) return 0;  /* stack: proxy, key, value */
    if (lua_type(L, -1) == LUA_TTABLE) {
        push_readonly(L, -1);
        lua_replace(L, -2);
    }
    return 2;
}

static int readonly_pairs(lua_State *L) {
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushcclosure(L, readonly_next, 1);
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;  /* next-like function, proxy, nil */
}

/* Pushes the read-only view of the table at `index` (the same view each time). */
static void push_readonly(lua_State *L, int index) {
    index = lua_absindex(L, index);
    luaL_checkstack(L, 6, "too many nested tables");
    lua_getfield(L, LUA_REGISTRYINDEX, PROXIES_KEY);
    lua_pushvalue(L, index);
    if (lua_rawget(L, -2) != LUA_TNIL) {  /* already a view */
        lua_pop(L, 2);
        lua_pushvalue(L, index);
        return;
    }
    lua_pop(L, 2);
    lua_getfield(L, LUA_REGISTRYINDEX, PROXY_CACHE_KEY);  /* stack: cache */
    lua_pushvalue(L, index);
    if (lua_rawget(L, -2) == LUA_TTABLE) {  /* stack: cache, view */
        lua_remove(L, -2);
        return;
    }
    lua_pop(L, 1);
    lua_newtable(L);                         /* stack: cache, view */
    lua_createtable(L, 0, 5);                /* stack: cache, view, mt */
    lua_pushvalue(L, index);
    lua_pushcclosure(L, readonly_index, 1);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, readonly_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushvalue(L, index);
    lua_pushcclosure(L, readonly_length, 1);
    lua_setfield(L, -2, "__len");
    lua_pushvalue(L, index);
    lua_pushcclosure(L, readonly_pairs, 1);
    lua_setfield(L, -2, "__pairs");
    lua_pushliteral(L, "read-only");
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);                 /* stack: cache, view */
    lua_pushvalue(L, index);
    lua_pushvalue(L, -2);
    lua_rawset(L, -4);                       /* cache[table] = view */
    lua_getfield(L, LUA_REGISTRYINDEX, PROXIES_KEY);
    lua_pushvalue(L, -2);
    lua_pushboolean(L, 1);
    lua_rawset(L, -3);                       /* proxies[view] = true */
    lua_pop(L, 1);
    lua_remove(L, -2);                       /* stack: view */
}

/* rawset that refuses read-only views. */
int vs_sandbox_rawset(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_checkany(L, 2);
    luaL_checkany(L, 3);
    lua_getfield(L, LUA_REGISTRYINDEX, PROXIES_KEY);
    lua_pushvalue(L, 1);
    int is_view = lua_rawget(L, -2) != LUA_TNIL;
    lua_pop(L, 2);
    if (is_view) return readonly_newindex(L);
    lua_settop(L, 3);
    lua_rawset(L, 1);
    return 1;
}

/* ---- require ---------------------------------------------------------------------------- */


static uint64_t name_seed(const char *name) { return vh_fnv1a(name, strlen(name)); }

/*
 * require(name): resolves the name through the host (which reads only the workspace's plugins/
 * and the bundled library), runs the module once in an environment of its own, and returns a
 * read-only view of what it returned. Upvalue 1: the resolver host function.
 */
int vs_sandbox_require(lua_State *L) {
    const char *name = luaL_checkstring(L, 1);
    lua_settop(L, 1);
    lua_getfield(L, LUA_REGISTRYINDEX, MODULES_KEY);    /* stack: name, modules */
    lua_pushvalue(L, 1);
    if (lua_rawget(L, 2) != LUA_TNIL) return 1;       /* loaded before */
    lua_pop(L, 1);
    lua_getfield(L, LUA_REGISTRYINDEX, LOADING_KEY);    /* stack: name, modules, loading */
    lua_pushvalue(L, 1);
    if (lua_rawget(L, 3) != LUA_TNIL) {
        return luaL_error(L, "require \"%s\" is circular: the module is still loading (it requires itself through other modules)", name);
    }
    lua_pop(L, 1);

    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, 1);
    lua_call(L, 1, 1);                                  /* stack: name, modules, loading, {source, chunk} */
    lua_getfield(L, 4, "source");
    lua_getfield(L, 4, "chunk");                        /* stack: ..., record, source, chunk */
    size_t length;
    const char *source = lua_tolstring(L, 5, &length);
    const char *chunk = lua_tostring(L, 6);
    if (source == NULL || chunk == NULL) return luaL_error(L, "require \"%s\": the module could not be read", name);

    lua_pushcfunction(L, vs_build_environment);
    lua_pushinteger(L, (lua_Integer)name_seed(name));
    lua_call(L, 1, 1);                                  /* stack: ..., env */
    if (luaL_loadbufferx(L, source, length, chunk, "t") != LUA_OK) return lua_error(L);
    lua_pushvalue(L, -2);
    if (lua_setupvalue(L, -2, 1) == NULL) lua_pop(L, 1); /* stack: ..., env, module chunk */

    lua_pushvalue(L, 1);
    lua_pushboolean(L, 1);
    lua_rawset(L, 3);                                   /* loading[name] = true */
    lua_call(L, 0, 1);                                  /* stack: ..., env, result */
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    lua_rawset(L, 3);                                   /* loading[name] = nil */

    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_pushboolean(L, 1);
    } else if (lua_type(L, -1) == LUA_TTABLE) {
        push_readonly(L, -1);
        lua_remove(L, -2);
    }
    lua_pushvalue(L, 1);
    lua_pushvalue(L, -2);
    lua_rawset(L, 2);                                   /* modules[name] = result */
    return 1;
}


