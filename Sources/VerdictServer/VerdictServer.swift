import Foundation
import Hummingbird
import NIOCore
import ServiceLifecycle
import Logging
import Synchronization
import VerdictCore
import VerdictDashboard

/// `verdict serve`: events in over HTTP, flags out over OFREP, the reads, the decisions and the
/// live dashboard, on Hummingbird. Every figure and every judgement comes from Core, as the
/// CLI's do; this module only speaks HTTP.
public struct VerdictServer: Sendable {
    /// How the server listens and what it allows.
    public struct Configuration: Sendable {
        /// The address to bind: 127.0.0.1 unless the owner says otherwise.
        public var host: String = "127.0.0.1"
        /// The port (0: any free port; the one bound is announced).
        public var port: Int = 8080
        /// The largest request body read, in bytes (413 above it).
        public var maxBodyBytes: Int = 10 * 1024 * 1024
        /// Whether OFREP evaluations need a `read` token (by default websites call them freely).
        public var flagsNeedToken: Bool = false
        /// Requests a minute per client address and per token (nil: `verdict.lua`'s, 0: none).
        public var rateLimit: Int?
        /// The morning (and weekly) runs in this process, at their local time.
        public var schedule: ServerSchedule?
        /// After the scheduled runs: writes the dashboard for the day under the server's clock,
        /// as `verdict daily` does, and returns the pages written (the command layer owns files).
        public var refreshDashboard: (@Sendable (Workspace, any VerdictClock, LocalDay) throws -> [String])?

        public init() {}
    }

    let workspace: Workspace
    let configuration: Configuration
    let clock: any VerdictClock
    let logger: Logger

    public init(workspace: Workspace, configuration: Configuration, clock: any VerdictClock, logger: Logger) {
        self.workspace = workspace
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
    }

    /// Runs until SIGTERM or SIGINT, then finishes the requests in flight and stops.
    /// `onRunning` gets the port bound.
    public func run(onRunning: @escaping @Sendable (Int) -> Void) async throws {
        let handlers = try Handlers(workspace: workspace, configuration: configuration, clock: clock)
        let router = Router(context: VerdictRequestContext.self)
        router.add(middleware: RequestLog())
        router.add(middleware: RequestGuard(maxBodyBytes: configuration.maxBodyBytes))
        router.add(middleware: AllowedOrigins(origins: Set(workspace.settings.server.corsOrigins)))
        router.add(middleware: RateLimit(perMinute: configuration.rateLimit ?? workspace.settings.server.rateLimit))
        handlers.register(on: router)
        var services: [any Service] = []
        if let schedule = configuration.schedule {
            services.append(ScheduledRuns(schedule: schedule, workspace: workspace, clock: clock, refresh: configuration.refreshDashboard, logger: logger))
        }
        let app = Application(
            router: router,
            // A connection that sends nothing for 30 s is closed: slow clients cannot hold them.
            server: .http1(configuration: .init(idleTimeout: .seconds(30))),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Verdict"),
            services: services,
            onServerRunning: { channel in onRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
        try await app.runService()
    }
}

/// The request context: Hummingbird's, with the client's address (for rate limits and logs).
public struct VerdictRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// Bodies are collected with the server's own limit (`Configuration.maxBodyBytes`).
    public var maxUploadSize: Int { .max }
}

/// The scheduled runs as a service of the application: sleeps until the next run's time, runs
/// what is due under the server's clock, refreshes the dashboard as `verdict daily` does (after
/// the weekly run too, so its verdicts show), and stops with the server.
struct ScheduledRuns: Service {
    let schedule: ServerSchedule
    let workspace: Workspace
    let clock: any VerdictClock
    let refresh: (@Sendable (Workspace, any VerdictClock, LocalDay) throws -> [String])?
    let logger: Logger

    func run() async throws {
        while !Task.isCancelled {
            let now = Date()
            let next = schedule.next(after: now, in: workspace.timeZone)
            logger.info("next scheduled run", metadata: ["at": .string(EventRecord.format(next, in: workspace.timeZone))])
            do {
                let wait = UInt64(max(0, next.timeIntervalSince(now)) * 1e9)
                try await cancelWhenGracefulShutdown { try await Task.sleep(nanoseconds: wait) }
            } catch {
                return  // the server is stopping
            }
            if Task.isShuttingDownGracefully { return }
            for line in Self.runDue(schedule, workspace: workspace, clock: clock, refresh: refresh) {
                logger.info("scheduled run", metadata: ["summary": .string(line)])
            }
        }
    }
}

extension ScheduledRuns {
    /// What is due today under `clock`, then the dashboard for today: what `verdict daily` (and,
    /// on the weekly day, `verdict run-all`) would print, then where the page was written.
    static func runDue(
        _ schedule: ServerSchedule, workspace: Workspace, clock: any VerdictClock,
        refresh: (@Sendable (Workspace, any VerdictClock, LocalDay) throws -> [String])?
    ) -> [String] {
        let date = workspace.today(clock)
        var lines = schedule.runDue(workspace: workspace, clock: clock, date: date)
        guard let refresh else { return lines }
        do {
            let pages = try refresh(workspace, clock, date)
            lines.append("dashboard refreshed: \(pages.joined(separator: ", "))")
        } catch {
            lines.append("the dashboard for \(date) was not refreshed: \(error)")
        }
        return lines
    }
}
