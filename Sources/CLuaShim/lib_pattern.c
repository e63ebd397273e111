/*
 * string.find, string.match, string.gmatch and string.gsub with limits.
 *
 * Lua patterns backtrack, and a pattern such as ".-.-.-b" against a long subject takes time
 * exponential in the number of lazy items, all of it inside one C call where the count hook
 * never fires. These functions implement the pattern language of the Lua 5.4 manual (§6.4.1)
 * with the same results and error messages as the stock library (a differential test checks
 * that), and charge every matching step to the script's instruction budget via vs_charge,
 * which also reads the wall clock.
 */
#define _GNU_SOURCE
#include "sandbox_internal.h"

#include <ctype.h>
#include <lauxlib.h>
#include <string.h>

#define MAX_CAPTURES 32
#define MAX_DEPTH 200
#define CAPTURE_OPEN (-1)
#define CAPTURE_POSITION (-2)
#define SPECIALS "^$*+?.([%-"

typedef struct {
    lua_State *L;
    const char *subject;
    const char *subject_end;
    const char *pattern_end;
    int depth;        /* remaining recursion */
    int level;        /* captures opened so far */
    unsigned steps;   /* steps not yet charged */
    struct {
        const char *start;
        ptrdiff_t length;  /* or CAPTURE_OPEN / CAPTURE_POSITION */
    } captures[MAX_CAPTURES];
} matcher;

static void step(matcher *m) {
    if (++m->steps >= VS_CHARGE_INTERVAL) {
        m->steps = 0;
        vs_charge(m->L, VS_CHARGE_INTERVAL);
    }
}

static void restart(matcher *m) {
    m->level = 0;
    m->depth = MAX_DEPTH;
}

/* Index (0-based) of position p relative to a string of length len, per Lua's rules. */
static size_t start_offset(lua_Integer position, size_t length) {
    if (position > 0) return (size_t)position - 1;
    if (position == 0) return 0;
    if (position < -(lua_Integer)length) return 0;
    return length - (size_t)(-position);
}

/* ---- single items ------------------------------------------------------------------- */

/* Returns the end of the single-character class that starts at p. */
static const char *item_end(matcher *m, const char *p) {
    char c = *p++;
    if (c == '%') {
        if (p >= m->pattern_end) luaL_error(m->L, "malformed pattern (ends with '%%')");
        return p + 1;
    }
    if (c == '[') {
        if (p < m->pattern_end && *p == '^') p++;
        /* The first character of a set is literal even when it is ']'. */
        do {
            if (p >= m->pattern_end) luaL_error(m->L, "malformed pattern (missing ']')");
            c = *p++;
            if (c == '%' && p < m->pattern_end) p++;
        } while (p >= m->pattern_end || *p != ']');
        return p + 1;
    }
    return p;
}

static int in_class(int c, int class_letter) {
    int result;
    switch (tolower(class_letter)) {
    case 'a': result = isalpha(c); break;
    case 'c': result = iscntrl(c); break;
    case 'd': result = isdigit(c); break;
    case 'g': result = isgraph(c); break;
    case 'l': result = islower(c); break;
    case 'p': result = ispunct(c); break;
    case 's': result = isspace(c); break;
    case 'u': result = isupper(c); break;
    case 'w': result = isalnum(c); break;
    case 'x': result = isxdigit(c); break;
    case 'z': result = (c == 0); break;  /* deprecated, but Lua 5.4 still accepts it */
    default: return class_letter == c;
    }
    if (isupper(class_letter)) result = !result;
    return result != 0;
}

/* set points at '[' and close at the ']' that ends it. */
static int in_set(int c, const char *set, const char *close) {
    int negate = 0;
    const char *p = set + 1;
    if (*p == '^') {
        negate = 1;
        p++;
    }
    for (; p < close; p++) {
        if (*p == '%') {
            p++;
            if (in_class(c, (unsigned char)*p)) return !negate;
        } else if (p[1] == '-' && p + 2 < close) {
            if ((unsigned char)p[0] <= c && c <= (unsigned char)p[2]) return !negate;
            p += 2;
        } else if ((unsigned char)*p == c) {
            return !negate;
        }
    }
    return negate;
}

static int item_matches(matcher *m, const char *s, const char *p, const char *end) {
    if (s >= m->subject_end) return 0;
    int c = (unsigned char)*s;
    switch (*p) {
    case '.': return 1;
    case '%': return in_class(c, (unsigned char)p[1]);
    case '[': return in_set(c, p, end - 1);
    default: return (unsigned char)*p == c;
    }
}

/* ---- the matcher -------------------------------------------------------------------- */

static const char *match_here(matcher *m, const char *s, const char *p);

static const char *match_balanced(matcher *m, const char *s, const char *p) {
    if (p + 1 >= m->pattern_end) luaL_error(m->L, "malformed pattern (missing arguments to '%%b')");
    if (s >= m->subject_end || *s != p[0]) return NULL;
    char open = p[0], close = p[1];
    int depth = 1;
    while (++s < m->subject_end) {
        step(m);
        if (*s == close) {
            if (--depth == 0) return s + 1;
        } else if (*s == open) {
            depth++;
        }
    }
    return NULL;
}

static const char *match_back_reference(matcher *m, const char *s, int digit) {
    int index = digit - '1';
    if (index < 0 || index >= m->level || m->captures[index].length == CAPTURE_OPEN) {
        luaL_error(m->L, "invalid capture index %%%d", index + 1);
    }
    ptrdiff_t length = m->captures[index].length;
    if (length < 0) return NULL;  /* a position capture never matches text */
    if (m->subject_end - s >= length && memcmp(m->captures[index].start, s, (size_t)length) == 0) {
        return s + length;
    }
    return NULL;
}

static const char *match_greedy(matcher *m, const char *s, const char *p, const char *end) {
    ptrdiff_t count = 0;
    while (item_matches(m, s + count, p, end)) {
        step(m);
        count++;
    }
    for (; count >= 0; count--) {
        const char *rest = match_here(m, s + count, end + 1);
        if (rest != NULL) return rest;
    }
    return NULL;
}

static const char *match_lazy(matcher *m, const char *s, const char *p, const char *end) {
    for (;;) {
        const char *rest = match_here(m, s, end + 1);
        if (rest != NULL) return rest;
        if (!item_matches(m, s, p, end)) return NULL;
        s++;
    }
}

static const char *open_capture(matcher *m, const char *s, const char *p, ptrdiff_t kind) {
    if (m->level >= MAX_CAPTURES) luaL_error(m->L, "too many captures");
    m->captures[m->level].start = s;
    m->captures[m->level].length = kind;
    m->level++;
    const char *rest = match_here(m, s, p);
    if (rest == NULL) m->level--;
    return rest;
}

static const char *close_capture(matcher *m, const char *s, const char *p) {
    int index = m->level - 1;
    while (index >= 0 && m->captures[index].length != CAPTURE_OPEN) index--;
    if (index < 0) luaL_error(m->L, "invalid pattern capture");
    m->captures[index].length = s - m->captures[index].start;
    const char *rest = match_here(m, s, p);
    if (rest == NULL) m->captures[index].length = CAPTURE_OPEN;
    return rest;
}

/* Matches pattern p at subject position s; returns the end of the match or NULL. */
static const char *match_here(matcher *m, const char *s, const char *p) {
    if (m->depth-- == 0) luaL_error(m->L, "pattern too complex");
    const char *result = NULL;
    for (;;) {
        step(m);
        if (p >= m->pattern_end) {
            result = s;
            break;
        }
        if (*p == '(') {
            result = (p + 1 < m->pattern_end && p[1] == ')')
                         ? open_capture(m, s, p + 2, CAPTURE_POSITION)
                         : open_capture(m, s, p + 1, CAPTURE_OPEN);
            break;
        }
        if (*p == ')') {
            result = close_capture(m, s, p + 1);
            break;
        }
        if (*p == '$' && p + 1 == m->pattern_end) {
            result = s == m->subject_end ? s : NULL;
            break;
        }
        if (*p == '%' && p + 1 < m->pattern_end) {
            char kind = p[1];
            if (kind == 'b') {
                s = match_balanced(m, s, p + 2);
                if (s == NULL) break;
                p += 4;
                continue;
            }
            if (kind == 'f') {
                p += 2;
                if (p >= m->pattern_end || *p != '[') {
                    luaL_error(m->L, "missing '[' after '%%f' in pattern");
                }
                const char *end = item_end(m, p);
                int before = s == m->subject ? '\0' : (unsigned char)s[-1];
                int here = s < m->subject_end ? (unsigned char)*s : '\0';
                if (in_set(before, p, end - 1) || !in_set(here, p, end - 1)) break;
                p = end;
                continue;
            }
            if (isdigit((unsigned char)kind)) {
                s = match_back_reference(m, s, kind);
                if (s == NULL) break;
                p += 2;
                continue;
            }
        }
        /* A single item, perhaps followed by a quantifier. */
        const char *end = item_end(m, p);
        char quantifier = end < m->pattern_end ? *end : '\0';
        if (!item_matches(m, s, p, end)) {
            if (quantifier == '*' || quantifier == '?' || quantifier == '-') {
                p = end + 1;
                continue;
            }
            break;
        }
        if (quantifier == '?') {
            result = match_here(m, s + 1, end + 1);
            if (result != NULL) break;
            p = end + 1;
            continue;
        }
        if (quantifier == '+') {
            result = match_greedy(m, s + 1, p, end);
            break;
        }
        if (quantifier == '*') {
            result = match_greedy(m, s, p, end);
            break;
        }
        if (quantifier == '-') {
            result = match_lazy(m, s, p, end);
            break;
        }
        s++;
        p = end;
    }
    m->depth++;
    return result;
}

/* ---- captures ----------------------------------------------------------------------- */

static void push_capture(matcher *m, int index, const char *s, const char *e) {
    if (index >= m->level) {
        if (index != 0) luaL_error(m->L, "invalid capture index %%%d", index + 1);
        lua_pushlstring(m->L, s, (size_t)(e - s));  /* the whole match */
        return;
    }
    ptrdiff_t length = m->captures[index].length;
    if (length == CAPTURE_OPEN) luaL_error(m->L, "unfinished capture");
    if (length == CAPTURE_POSITION) {
        lua_pushinteger(m->L, (m->captures[index].start - m->subject) + 1);
    } else {
        lua_pushlstring(m->L, m->captures[index].start, (size_t)length);
    }
}

/* Pushes every capture, or the whole match when there are none and s is given. */
static int push_captures(matcher *m, const char *s, const char *e) {
    int count = (m->level == 0 && s != NULL) ? 1 : m->level;
    luaL_checkstack(m->L, count, "too many captures");
    for (int i = 0; i < count; i++) push_capture(m, i, s, e);
    return count;
}

static void start_matcher(matcher *m, lua_State *L, const char *subject, size_t subject_length,
                          const char *pattern, size_t pattern_length) {
    m->L = L;
    m->subject = subject;
    m->subject_end = subject + subject_length;
    m->pattern_end = pattern + pattern_length;
    m->steps = 0;
    restart(m);
}

static int has_specials(const char *pattern, size_t length) {
    for (size_t i = 0; i < length; i++) {
        if (pattern[i] != '\0' && strchr(SPECIALS, pattern[i]) != NULL) return 1;
    }
    return 0;
}

/* ---- find / match ------------------------------------------------------------------- */

static int find_or_match(lua_State *L, int find) {
    size_t subject_length, pattern_length;
    const char *subject = luaL_checklstring(L, 1, &subject_length);
    const char *pattern = luaL_checklstring(L, 2, &pattern_length);
    size_t init = start_offset(luaL_optinteger(L, 3, 1), subject_length);
    if (init > subject_length) {
        luaL_pushfail(L);
        return 1;
    }
    if (find && (lua_toboolean(L, 4) || !has_specials(pattern, pattern_length))) {
        /* memmem is linear in the subject (two-way search), so no charging is needed. */
        const char *found = memmem(subject + init, subject_length - init, pattern, pattern_length);
        if (found != NULL) {
            lua_pushinteger(L, (found - subject) + 1);
            lua_pushinteger(L, (found - subject) + (lua_Integer)pattern_length);
            return 2;
        }
        luaL_pushfail(L);
        return 1;
    }
    matcher m;
    int anchored = pattern_length > 0 && *pattern == '^';
    if (anchored) {
        pattern++;
        pattern_length--;
    }
    start_matcher(&m, L, subject, subject_length, pattern, pattern_length);
    const char *s = subject + init;
    do {
        restart(&m);
        const char *e = match_here(&m, s, pattern);
        if (e != NULL) {
            if (find) {
                lua_pushinteger(L, (s - subject) + 1);
                lua_pushinteger(L, e - subject);
                return push_captures(&m, NULL, NULL) + 2;
            }
            return push_captures(&m, s, e);
        }
    } while (s++ < m.subject_end && !anchored);
    luaL_pushfail(L);
    return 1;
}

static int guarded_find(lua_State *L) { return find_or_match(L, 1); }
static int guarded_match(lua_State *L) { return find_or_match(L, 0); }

/* ---- gmatch ------------------------------------------------------------------------- */

typedef struct {
    size_t position;       /* where the next search starts */
    ptrdiff_t last_match;  /* end of the previous match, or -1 */
} gmatch_state;

static int gmatch_next(lua_State *L) {
    size_t subject_length, pattern_length;
    const char *subject = lua_tolstring(L, lua_upvalueindex(1), &subject_length);
    const char *pattern = lua_tolstring(L, lua_upvalueindex(2), &pattern_length);
    gmatch_state *state = lua_touserdata(L, lua_upvalueindex(3));
    matcher m;
    start_matcher(&m, L, subject, subject_length, pattern, pattern_length);
    for (const char *s = subject + state->position; s <= m.subject_end; s++) {
        restart(&m);
        const char *e = match_here(&m, s, pattern);
        if (e != NULL && (state->last_match < 0 || e != subject + state->last_match)) {
            state->position = (size_t)(e - subject);
            state->last_match = e - subject;
            return push_captures(&m, s, e);
        }
    }
    state->position = subject_length + 1;
    return 0;
}

static int guarded_gmatch(lua_State *L) {
    size_t subject_length;
    luaL_checklstring(L, 1, &subject_length);
    luaL_checkstring(L, 2);
    size_t init = start_offset(luaL_optinteger(L, 3, 1), subject_length);
    if (init > subject_length) init = subject_length + 1;
    lua_settop(L, 2);
    gmatch_state *state = lua_newuserdatauv(L, sizeof *state, 0);
    state->position = init;
    state->last_match = -1;
    lua_pushcclosure(L, gmatch_next, 3);  /* upvalues: subject, pattern, state */
    return 1;
}

/* ---- gsub --------------------------------------------------------------------------- */

static void add_template(matcher *m, luaL_Buffer *b, const char *s, const char *e) {
    lua_State *L = m->L;
    size_t length;
    const char *text = lua_tolstring(L, 3, &length);
    const char *end = text + length;
    for (const char *p = text; p < end; p++) {
        if (*p != '%') {
            luaL_addchar(b, *p);
            continue;
        }
        p++;
        if (p < end && *p == '%') {
            luaL_addchar(b, '%');
        } else if (p < end && isdigit((unsigned char)*p)) {
            if (*p == '0') {
                luaL_addlstring(b, s, (size_t)(e - s));
            } else {
                push_capture(m, *p - '1', s, e);
                luaL_tolstring(L, -1, NULL);
                lua_remove(L, -2);
                luaL_addvalue(b);
            }
        } else {
            luaL_error(L, "invalid use of '%c' in replacement string", '%');
        }
    }
}

static void add_replacement(matcher *m, luaL_Buffer *b, const char *s, const char *e, int kind) {
    lua_State *L = m->L;
    if (kind == LUA_TFUNCTION) {
        lua_pushvalue(L, 3);
        int count = push_captures(m, s, e);
        lua_call(L, count, 1);
    } else if (kind == LUA_TTABLE) {
        push_capture(m, 0, s, e);
        lua_gettable(L, 3);
    } else {
        add_template(m, b, s, e);
        return;
    }
    if (!lua_toboolean(L, -1)) {  /* nil or false: keep the original text */
        lua_pop(L, 1);
        luaL_addlstring(b, s, (size_t)(e - s));
    } else if (!lua_isstring(L, -1)) {
        luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
    } else {
        luaL_addvalue(b);
    }
}

static int guarded_gsub(lua_State *L) {
    size_t subject_length, pattern_length;
    const char *subject = luaL_checklstring(L, 1, &subject_length);
    const char *pattern = luaL_checklstring(L, 2, &pattern_length);
    int kind = lua_type(L, 3);
    lua_Integer max_replacements = luaL_optinteger(L, 4, (lua_Integer)subject_length + 1);
    luaL_argexpected(L, kind == LUA_TNUMBER || kind == LUA_TSTRING || kind == LUA_TFUNCTION ||
                            kind == LUA_TTABLE,
                     3, "string/function/table");
    int anchored = pattern_length > 0 && *pattern == '^';
    if (anchored) {
        pattern++;
        pattern_length--;
    }
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    matcher m;
    start_matcher(&m, L, subject, subject_length, pattern, pattern_length);
    const char *s = subject;
    const char *last_match = NULL;
    lua_Integer replacements = 0;
    while (replacements < max_replacements) {
        restart(&m);
        const char *e = match_here(&m, s, pattern);
        if (e != NULL && e != last_match) {
            replacements++;
            add_replacement(&m, &b, s, e, kind);
            s = last_match = e;
        } else if (s < m.subject_end) {
            luaL_addchar(&b, *s++);
        } else {
            break;
        }
        if (anchored) break;
    }
    luaL_addlstring(&b, s, (size_t)(m.subject_end - s));
    luaL_pushresult(&b);
    lua_pushinteger(L, replacements);
    return 2;
}

void vs_register_pattern_functions(lua_State *L) {
    static const luaL_Reg functions[] = {
        {"find", guarded_find},
        {"match", guarded_match},
        {"gmatch", guarded_gmatch},
        {"gsub", guarded_gsub},
        {NULL, NULL},
    };
    luaL_setfuncs(L, functions, 0);
}
