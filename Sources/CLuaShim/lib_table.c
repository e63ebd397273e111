/*
 * table.insert, table.remove and table.move with limits.
 *
 * Each shifts elements in a C loop whose length comes from the script: `#t` (which __len can
 * make huge) or explicit bounds. Moving nils allocates nothing, so neither the memory cap nor
 * the count hook would ever stop `table.move({}, 1, math.maxinteger, 2)`. These versions
 * behave as the Lua 5.4 manual specifies (metamethods included) and charge each element
 * moved to the instruction budget.
 */
#include "sandbox_internal.h"

#include <lauxlib.h>

typedef struct {
    lua_State *L;
    unsigned steps;
} meter;

static void tick(meter *m) {
    if (++m->steps >= VS_CHARGE_INTERVAL) {
        m->steps = 0;
        vs_charge(m->L, VS_CHARGE_INTERVAL);
    }
}

static int guarded_insert(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_Integer end = luaL_len(L, 1) + 1;  /* first empty slot */
    lua_Integer position;
    meter m = {L, 0};
    switch (lua_gettop(L)) {
    case 2:
        position = end;
        break;
    case 3:
        position = luaL_checkinteger(L, 2);
        luaL_argcheck(L, (lua_Unsigned)position - 1u < (lua_Unsigned)end, 2,
                      "position out of bounds");
        for (lua_Integer i = end; i > position; i--) {  /* shift up */
            tick(&m);
            lua_geti(L, 1, i - 1);
            lua_seti(L, 1, i);
        }
        break;
    default:
        return luaL_error(L, "wrong number of arguments to 'insert'");
    }
    lua_seti(L, 1, position);  /* t[position] = value */
    return 0;
}

static int guarded_remove(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_Integer size = luaL_len(L, 1);
    lua_Integer position = luaL_optinteger(L, 2, size);
    meter m = {L, 0};
    if (position != size) {
        luaL_argcheck(L, (lua_Unsigned)position - 1u <= (lua_Unsigned)size, 2,
                      "position out of bounds");
    }
    lua_geti(L, 1, position);  /* stack: t, [position], removed */
    for (; position < size; position++) {  /* shift down */
        tick(&m);
        lua_geti(L, 1, position + 1);
        lua_seti(L, 1, position);
    }
    lua_pushnil(L);
    lua_seti(L, 1, position);
    return 1;
}

static int guarded_move(lua_State *L) {
    lua_Integer first = luaL_checkinteger(L, 2);
    lua_Integer last = luaL_checkinteger(L, 3);
    lua_Integer target = luaL_checkinteger(L, 4);
    int destination = lua_isnoneornil(L, 5) ? 1 : 5;
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_checktype(L, destination, LUA_TTABLE);
    meter m = {L, 0};
    if (last >= first) {
        luaL_argcheck(L, first > 0 || last < LUA_MAXINTEGER + first, 3, "too many elements to move");
        lua_Integer count = last - first + 1;
        luaL_argcheck(L, target <= LUA_MAXINTEGER - count + 1, 4, "destination wrap around");
        int overlapping_forward = target > first && target <= last &&
                                  (destination == 1 || lua_compare(L, 1, destination, LUA_OPEQ));
        if (!overlapping_forward) {
            for (lua_Integer i = 0; i < count; i++) {
                tick(&m);
                lua_geti(L, 1, first + i);
                lua_seti(L, destination, target + i);
            }
        } else {
            for (lua_Integer i = count - 1; i >= 0; i--) {
                tick(&m);
                lua_geti(L, 1, first + i);
                lua_seti(L, destination, target + i);
            }
        }
    }
    lua_pushvalue(L, destination);
    return 1;
}

void vs_register_table_functions(lua_State *L) {
    static const luaL_Reg functions[] = {
        {"insert", guarded_insert},
        {"remove", guarded_remove},
        {"move", guarded_move},
        {NULL, NULL},
    };
    luaL_setfuncs(L, functions, 0);
}
