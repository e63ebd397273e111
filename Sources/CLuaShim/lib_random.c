/*
 * math.random and math.randomseed for one environment.
 *
 * Each environment gets its own generator (xoshiro256**, seeded through splitmix64 from a
 * seed the host chooses), so a script draws the same numbers on every run whatever other
 * scripts do. The calling conventions are those of Lua 5.4's math.random.
 */
#include "verdict_hash.h"
#include "sandbox_internal.h"

#include <lauxlib.h>
#include <string.h>

typedef struct {
    uint64_t state[4];
    uint64_t seed;  /* what randomseed() without arguments returns to */
} generator;

static uint64_t rotate_left(uint64_t x, int n) { return (x << n) | (x >> (64 - n)); }

static uint64_t next_value(generator *g) {
    uint64_t *s = g->state;
    uint64_t result = rotate_left(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotate_left(s[3], 45);
    return result;
}

static void seed_generator(generator *g, uint64_t seed) {
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) g->state[i] = vh_splitmix64_next(&x);
}

/* A uniform integer in [0, limit], by rejection of masked draws. */
static uint64_t uniform_below_or_equal(generator *g, uint64_t limit) {
    uint64_t mask = limit;
    mask |= mask >> 1;
    mask |= mask >> 2;
    mask |= mask >> 4;
    mask |= mask >> 8;
    mask |= mask >> 16;
    mask |= mask >> 32;
    uint64_t draw;
    do {
        draw = next_value(g) & mask;
    } while (draw > limit);
    return draw;
}

static int random_draw(lua_State *L) {
    generator *g = lua_touserdata(L, lua_upvalueindex(1));
    lua_Integer low, high;
    switch (lua_gettop(L)) {
    case 0:
        lua_pushnumber(L, (lua_Number)(next_value(g) >> 11) * 0x1.0p-53);
        return 1;
    case 1:
        low = 1;
        high = luaL_checkinteger(L, 1);
        if (high == 0) {  /* random(0): every bit random */
            lua_pushinteger(L, (lua_Integer)next_value(g));
            return 1;
        }
        break;
    case 2:
        low = luaL_checkinteger(L, 1);
        high = luaL_checkinteger(L, 2);
        break;
    default:
        return luaL_error(L, "wrong number of arguments");
    }
    luaL_argcheck(L, low <= high, lua_gettop(L), "interval is empty");
    uint64_t offset = uniform_below_or_equal(g, (uint64_t)high - (uint64_t)low);
    lua_pushinteger(L, (lua_Integer)((uint64_t)low + offset));
    return 1;
}

static int random_seed(lua_State *L) {
    generator *g = lua_touserdata(L, lua_upvalueindex(1));
    if (lua_isnone(L, 1)) {
        seed_generator(g, g->seed);
    } else if (lua_isinteger(L, 1)) {
        seed_generator(g, (uint64_t)lua_tointeger(L, 1));
    } else {
        lua_Number n = luaL_checknumber(L, 1);
        uint64_t bits;
        memcpy(&bits, &n, sizeof bits);
        seed_generator(g, bits);
    }
    return 0;
}

void vs_register_random(lua_State *L, uint64_t seed) {
    generator *g = lua_newuserdatauv(L, sizeof *g, 0);  /* stack: math, g */
    g->seed = seed;
    seed_generator(g, seed);
    lua_pushvalue(L, -1);
    lua_pushcclosure(L, random_draw, 1);
    lua_setfield(L, -3, "random");
    lua_pushcclosure(L, random_seed, 1);  /* consumes g */
    lua_setfield(L, -2, "randomseed");
}
