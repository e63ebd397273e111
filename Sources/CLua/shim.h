/*
 * CLua: Lua 5.4 as Swift sees it.
 *
 * The C API exposes many operations as function-like macros, which Swift cannot import. Each
 * one Verdict needs is wrapped here as a static inline function with the same meaning.
 */
#ifndef VERDICT_CLUA_SHIM_H
#define VERDICT_CLUA_SHIM_H

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

static inline int clua_registryindex(void) { return LUA_REGISTRYINDEX; }
static inline int clua_upvalueindex(int i) { return lua_upvalueindex(i); }

static inline void clua_pop(lua_State *L, int n) { lua_pop(L, n); }
static inline void clua_newtable(lua_State *L) { lua_newtable(L); }
static inline void clua_insert(lua_State *L, int idx) { lua_insert(L, idx); }
static inline void clua_remove(lua_State *L, int idx) { lua_remove(L, idx); }

static inline lua_Integer clua_tointeger(lua_State *L, int idx) { return lua_tointegerx(L, idx, NULL); }
static inline lua_Number clua_tonumber(lua_State *L, int idx) { return lua_tonumberx(L, idx, NULL); }
static inline const char *clua_typename(lua_State *L, int idx) { return luaL_typename(L, idx); }
static inline int clua_isnoneornil(lua_State *L, int idx) { return lua_isnoneornil(L, idx); }

#endif
