/// The Lua that defines the experiment language's helpers, run in each experiment's environment
/// before the script. Each helper checks its arguments (raising at the script's line) and
/// returns a tagged table (`__verdict = "rule"`, ...) that the Swift validator reads.
enum ExperimentPrelude {
    static let chunkName = "verdict-prelude"

    /// The names the prelude defines, for the documentation test.
    static let names = [
        "ab", "before_after", "switchback", "days", "hours", "lift_at_least", "drop_at_least", "at_least", "at_most",
        "no_worse_than", "all_of", "any_of", "throttle", "rollback",
    ]

    // Errors must point at the script's line: `fail(message, level)` raises at `level` frames
    // above its caller, and the public helpers avoid tail calls, which would drop their frame.
    static let source = #"""
        local function fail(message, level) error(message, level + 1) end

        -- Called directly by a public helper: the script is 3 levels above `number`'s caller.
        local function number(name, value, low, high)
          if type(value) ~= "number" or value ~= value then
            fail(name .. " expects a number, got " .. type(value), 3)
          end
          if (low and value < low) or (high and value > high) then
            fail(string.format("%s expects a number from %s to %s, got %s", name, tostring(low), tostring(high), tostring(value)), 3)
          end
          return value
        end

        local function rule(kind, value)
          return { __verdict = "rule", kind = kind, value = value }
        end

        function lift_at_least(x) local r = rule("lift_at_least", number("lift_at_least", x, 0)) return r end
        function drop_at_least(x) local r = rule("drop_at_least", number("drop_at_least", x, 0, 1)) return r end
        function at_least(x) local r = rule("at_least", number("at_least", x)) return r end
        function at_most(x) local r = rule("at_most", number("at_most", x)) return r end
        function no_worse_than(x) local r = rule("no_worse_than", number("no_worse_than", x, 0)) return r end

        local function combine(kind, ...)
          local rules = { ... }
          if #rules == 0 then fail(kind .. " expects at least one rule", 3) end
          for i, r in ipairs(rules) do
            if type(r) ~= "table" or r.__verdict ~= "rule" then
              fail(string.format("%s: argument %d is not a rule such as lift_at_least(0.05)", kind, i), 3)
            end
          end
          return { __verdict = "rule", kind = kind, rules = rules }
        end
        function all_of(...) local r = combine("all_of", ...) return r end
        function any_of(...) local r = combine("any_of", ...) return r end

        function days(n)
          number("days", n, 1, 90)
          if n ~= math.floor(n) then fail("days expects a whole number of days", 2) end
          return { __verdict = "duration", days = math.floor(n) }
        end

        function hours(...)
          local list = { ... }
          if #list == 0 then fail("hours expects one or more hours, as in hours(24, 48, 72)", 2) end
          for _, h in ipairs(list) do number("hours", h, 1, 72) end
          return { __verdict = "hours", hours = list }
        end

        function throttle(share)
          local share_checked = number("throttle", share, 0, 1)
          return { __verdict = "action", kind = "throttle", share = share_checked }
        end
        function rollback() return { __verdict = "action", kind = "rollback" } end

        local function design(kind, options, example)
          if options ~= nil and type(options) ~= "table" then
            fail(kind .. " expects a table, as in " .. example .. "; got " .. type(options), 3)
          end
          local d = { __verdict = "design", kind = kind }
          for k, v in pairs(options or {}) do d[k] = v end
          return d
        end
        function ab(options)
          local d = design("ab", options, 'ab { flag = "book_now", control = "off", treatment = "on", split = 0.5 }')
          return d
        end
        function before_after(options)
          local d = design("before_after", options, "before_after { weeks = 1 }")
          return d
        end
        function switchback(options)
          local d = design("switchback", options, 'switchback { flag = "dispatch_rule", control = "off", treatment = "on" }')
          return d
        end
        """#
}
