import ArgumentParser
import Foundation
import VerdictCore

extension VerdictCommand {
    /// `verdict start NAME`: starts and seals an experiment.
    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start an experiment: forecast it, seal it, turn its flag on, and record it.",
            discussion: """
                Loads and checks the experiment, then forecasts from stored history whether its window can \\
                decide the rule; a design that cannot is refused unless --accept-underpowered. A running \\
                experiment for the same customers is refused unless --force. The seal (docs/lifecycle.md) \\
                fixes the declaration, the script and every plugin it requires. The flag goes to the design's \\
                split, flags.json is written, and the start, the seal and any override go on the audit trail.

                Examples:
                  verdict start book-now
                  verdict start book-now --accept-underpowered --actor dana
                  verdict start book-now --at 2026-11-02T07:00:00-06:00   # it went live then
                """
        )

        @Argument(help: "The experiment's name (experiments/NAME.lua).") var name: String
        @Flag(name: .customLong("accept-underpowered"), help: "Start even when the forecast says the window cannot decide the rule (recorded).")
        var acceptUnderpowered = false
        @Flag(help: "Start even when a running experiment targets the same customers (recorded).") var force = false
        @Option(help: ArgumentHelp("When the change went live, if not now (ISO 8601 with offset): the window starts that local day.", valueName: "time"))
        var at: String?
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var clockOptions: ClockOptions
        @OptionGroup var actorOptions: ActorOptions

        func run() async throws {
            do {
                let workspace = try options.load()
                let wentLive = try at.map { text in
                    guard let instant = FixedClock(iso8601: text) else {
                        throw ValidationError("--at: \"\(text)\" is not an ISO 8601 time with an offset, such as 2026-11-02T07:00:00-06:00")
                    }
                    return instant.instant
                }
                let lifecycle = try Lifecycle(workspace: workspace, clock: try clockOptions.clock(), actor: actorOptions.resolve())
                let file = ExperimentLoader(workspace: workspace).script(named: name)
                let (status, forecast) = try lifecycle.start(file, at: wentLive, acceptUnderpowered: acceptUnderpowered, force: force)
                if json { return Terminal.write(try JSONOutput.encode(status) + "\n") }
                var text = "Started \(status.changeID) (\(status.title)).\n"
                text += "  seal      \(status.seal)\n"
                text += "  window    \(status.windowStart) .. \(status.windowEnd) (\(status.windowDays) days)\n"
                if let flag = status.flag {
                    text += "  flag      \(flag.key): \(flag.spec.treatment) for \(FigureText.percent(flag.share, trimmed: true)) of "
                        + (flag.spec.cohorts.isEmpty ? "everyone" : flag.spec.cohorts.joined(separator: ", ")) + " (flags.json written)\n"
                }
                text += "  safety    checks at " + status.safetyChecks.joined(separator: ", ") + "\n"
                text += "  forecast  \(forecast.conclusion)\n"
                Terminal.write(text)
            } catch let error as ValidationError {
                throw error
            } catch {
                throw Terminal.report(error)
            }
        }
    }

    /// `verdict status`: where every started experiment stands.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One line per started experiment: state, day of the window, flag share, and what comes next.",
            discussion: """
                For changes the staff carry out by hand, it also says today's arm in words.

                Examples:
                  verdict status
                  verdict status --json
                """
        )

        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var clockOptions: ClockOptions

        func run() async throws {
            do {
                let lifecycle = try Lifecycle(workspace: try options.load(), clock: try clockOptions.clock(), actor: "")
                let statuses = try lifecycle.statuses()
                if json { return Terminal.write(try JSONOutput.encode(statuses) + "\n") }
                guard !statuses.isEmpty else { return Terminal.write("No experiment has been started: `verdict start NAME`.\n") }
                for status in statuses {
                    let share = status.flag.map { "\($0.key) \($0.state.rawValue) \(FigureText.percent($0.share, trimmed: true))" } ?? "no flag"
                    Terminal.write(
                        "\(status.changeID)  \(status.state)\(status.verdict.map { "  verdict \($0)" } ?? "")  day \(status.day) of \(status.windowDays)  \(share)  next: \(status.next)\n")
                    if let today = status.today { Terminal.write("  \(today)\n") }
                    if let lists = status.lists {
                        Terminal.write(
                            "  lists: \(lists.handedOut) handed out; \(lists.treatment) customers meant to get the change, \(lists.control) not\n")
                    }
                    if let timeline = try lifecycle.timeline(of: status.changeID) { Terminal.write("  timeline: \(timeline.sentence)\n") }
                }
                let recover = try lifecycle.meanTimeToRecover(days: 90)
                Terminal.write(
                    recover.incidents == 0
                        ? "last 90 days: no incident (safety breach, watch breach or rollback)\n"
                        : "last 90 days: \(recover.incidents) incident\(recover.incidents == 1 ? "" : "s")"
                            + (recover.hours.map { ", mean time to recover \(FigureText.number($0, digits: 1, trimmed: true)) hours" } ?? "")
                            + (recover.open > 0 ? ", \(recover.open) not recovered yet" : "") + "\n")
            } catch {
                throw Terminal.report(error)
            }
        }
    }

    /// `verdict flags`: every flag.
    struct Flags: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the flags: state, share, variants and who they target (as flags.json has them).",
            discussion: """
                Examples:
                  verdict flags
                  verdict flags --json
                """
        )

        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var clockOptions: ClockOptions

        func run() async throws {
            do {
                let flags = try Lifecycle(workspace: try options.load(), clock: try clockOptions.clock(), actor: "").flags()
                if json { return Terminal.write(try JSONOutput.encode(flags) + "\n") }
                guard !flags.isEmpty else { return Terminal.write("No flags yet: `verdict start NAME` sets one.\n") }
                Terminal.write(
                    TableOutput(
                        headers: ["flag", "change", "state", "share", "variants", "targets", "design", "updated"],
                        rows: flags.map {
                            [
                                $0.key, $0.changeID, $0.state.rawValue, FigureText.percent($0.share, trimmed: true),
                                "\($0.spec.control)/\($0.spec.treatment)", $0.spec.cohorts.isEmpty ? "everyone" : $0.spec.cohorts.joined(separator: ","),
                                $0.spec.design, $0.updatedAt,
                            ]
                        }
                    ).text())
            } catch {
                throw Terminal.report(error)
            }
        }
    }
}
