import Foundation
import CompressNIO
import Hummingbird
import Synchronization
import VerdictCore
import VerdictDashboard

/// The endpoints. Each answers JSON (`Content-Type: application/json`) except the dashboard.
final class Handlers: Sendable {
    let workspace: Workspace
    let configuration: VerdictServer.Configuration
    let clock: any VerdictClock
    let reads: Lifecycle
    let tokens: AccessTokens
    /// Events in, a commit for the requests that arrive together.
    let intake: EventIntake
    /// The tokens in force, read again at most every second (a revoked token stops within it).
    let tokenCache = Mutex<(check: TokenCheck, at: Date)?>(nil)
    /// The flags, read again at most every second: OFREP is the hot path.
    let flagCache = Mutex<FlagBoard?>(nil)
    /// Webhooks in: verified, stored raw, then read by their mapping off the request's path.
    let hooks: HookIntake
    /// Whether deliveries are being read, and whether more came meanwhile.
    let hookWork = Mutex<(running: Bool, again: Bool)>((false, false))

    init(workspace: Workspace, configuration: VerdictServer.Configuration, clock: any VerdictClock) throws {
        self.workspace = workspace
        self.configuration = configuration
        self.clock = clock
        reads = try Lifecycle(workspace: workspace, clock: clock, actor: "server")
        tokens = try AccessTokens(workspace: workspace, clock: clock, actor: "server")
        intake = try EventIntake(workspace: workspace, clock: clock)
        hooks = try HookIntake(workspace: workspace, clock: clock)
        readDeliveries()  // any a stopped server stored and did not read
    }

    func register(on router: Router<VerdictRequestContext>) {
        router.get("/healthz") { _, _ in try self.json(["status": "ok"]) }
        router.post("/ofrep/v1/evaluate/flags/:key") { [self] request, context in try await evaluateOne(request, context) }
        router.post("/ofrep/v1/evaluate/flags") { [self] request, context in try await evaluateAll(request, context) }
        router.get("/v1/status") { [self] request, _ in
            try authorized(request, .read) { [self] _ in try json(reads.statuses()) }
        }
        router.get("/v1/experiments") { [self] request, _ in
            try authorized(request, .read) { [self] _ in try json(reads.statuses()) }
        }
        router.get("/v1/experiments/:change_id") { [self] request, context in
            try authorized(request, .read) { [self] _ in try report(context.parameters.get("change_id") ?? "") }
        }
        router.get("/v1/audit") { [self] request, _ in
            try authorized(request, .read) { [self] _ in
                let change = request.uri.queryParameters.get("change_id")
                return try json(AuditTrail(workspace: workspace).records(changeID: change?.isEmpty == false ? change : nil))
            }
        }
        router.post("/v1/events") { [self] request, _ in try await events(request) }
        router.post("/v1/hooks/:provider") { [self] request, context in try await hook(request, context) }
        router.post("/v1/experiments/:change_id/decision") { [self] request, context in
            try await admin(request, context) { [self] token, body, changeID in
                struct Decision: Decodable { var decision: String; var note: String?; var early: Bool? }
                let decision = try JSONDecoder().decode(Decision.self, from: body)
                guard let chosen = Lifecycle.Decision(rawValue: decision.decision) else {
                    return error(.badRequest, "decision: \"\(decision.decision)\" is not keep, rollback, extend or scale")
                }
                let lifecycle = try Lifecycle(workspace: workspace, clock: clock, actor: token.name)
                return try json(lifecycle.decide(changeID, chosen, note: decision.note, early: decision.early ?? false))
            }
        }
        router.post("/v1/experiments/:change_id/flag") { [self] request, context in
            try await admin(request, context) { [self] token, body, changeID in
                struct Change: Decodable { var action: String; var share: Double?; var note: String? }
                let change = try JSONDecoder().decode(Change.self, from: body)
                let action: Lifecycle.FlagAction
                switch (change.action, change.share) {
                case ("on", _): action = .on
                case ("off", _): action = .off
                case ("throttle", let share?): action = .throttle(share)
                default: return error(.badRequest, "action: give on, off, or throttle with a share (0 to 1)")
                }
                let lifecycle = try Lifecycle(workspace: workspace, clock: clock, actor: token.name)
                return try json(lifecycle.setFlag(changeID, action, note: change.note))
            }
        }
        router.get("/") { [self] request, _ in
            try authorized(request, .read, allowQueryToken: true) { [self] _ in
                let dashboard = try Dashboard.make(workspace: workspace, clock: clock, date: workspace.today(clock))
                var response = Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: DashboardPage.render(dashboard, live: true))))
                response.headers[.contentType] = "text/html; charset=utf-8"
                response.headers[.cacheControl] = "no-store"
                return response
            }
        }
    }

    // MARK: - Access

    /// The token of the request's `Authorization: Bearer` header (or `?token=` where allowed).
    func bearer(_ request: Request, allowQueryToken: Bool = false) -> String? {
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" { return String(parts[1]).trimmingCharacters(in: .whitespaces) }
            return nil
        }
        return allowQueryToken ? request.uri.queryParameters.get("token") : nil
    }

    func tokenCheck() throws -> TokenCheck {
        if let cached = tokenCache.withLock({ $0 }), Date().timeIntervalSince(cached.at) < 1 { return cached.check }
        let check = try tokens.check()
        tokenCache.withLock { $0 = (check, Date()) }
        return check
    }

    /// Runs `body` when the request carries a token with `scope`; else 401 (none, or one that
    /// opens nothing) or 403 (a token without that scope).
    func authorized(
        _ request: Request, _ scope: TokenScope, allowQueryToken: Bool = false, _ body: (AccessToken) throws -> Response
    ) throws -> Response {
        let token: AccessToken
        switch try bearerToken(request, scope, allowQueryToken: allowQueryToken) {
        case .success(let found): token = found
        case .failure(let refusal): return refusal.response
        }
        do {
            return try body(token)
        } catch let failure as LifecycleError {
            return error(.conflict, failure.description)
        }
    }

    struct Refusal: Error { var response: Response }

    /// The request's token when it has `scope`; else the answer: 401 (none, or one that opens
    /// nothing) or 403 (a token without that scope).
    func bearerToken(_ request: Request, _ scope: TokenScope, allowQueryToken: Bool = false) throws -> Result<AccessToken, Refusal> {
        guard let secret = bearer(request, allowQueryToken: allowQueryToken) else {
            return .failure(Refusal(response: error(
                .unauthorized, "this needs a token with the \(scope.rawValue) scope: Authorization: Bearer <token> (verdict token create)")))
        }
        guard let token = try tokenCheck().token(for: secret) else {
            return .failure(Refusal(response: error(.unauthorized, "the token is not known, or was revoked")))
        }
        guard token.allows(scope) else {
            return .failure(Refusal(response: error(.forbidden, "the token \(token.name) lacks the \(scope.rawValue) scope")))
        }
        return .success(token)
    }

    /// An admin write: a token with `admin`, a JSON body, the change_id of the path.
    func admin(
        _ request: Request, _ context: VerdictRequestContext, _ body: @escaping (AccessToken, Data, String) throws -> Response
    ) async throws -> Response {
        let collected: Data
        switch await collect(request) {
        case .success(let data): collected = data
        case .failure(let response): return response
        }
        return try authorized(request, .admin) { token in
            do {
                return try body(token, collected, context.parameters.get("change_id") ?? "")
            } catch let failure as DecodingError {
                return error(.badRequest, "the body is not the JSON expected: \(Self.describe(failure))")
            }
        }
    }

    enum Collected { case success(Data), failure(Response) }

    /// The request's body, up to the configured size (413 beyond it), unzipped when it comes
    /// with `Content-Encoding: gzip` (its unzipped size counts against the limit too).
    func collect(_ request: Request) async -> Collected {
        var buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: configuration.maxBodyBytes)
        } catch {
            return .failure(self.error(.contentTooLarge, "the body is over the limit of \(configuration.maxBodyBytes) bytes"))
        }
        switch request.headers[.contentEncoding]?.lowercased() {
        case nil, "identity": break
        case "gzip":
            do {
                buffer = try buffer.decompress(with: .gzip(), maxSize: configuration.maxBodyBytes)
            } catch let failure as CompressNIOError where failure == .bufferOverflow {
                return .failure(self.error(.contentTooLarge, "the unzipped body is over the limit of \(configuration.maxBodyBytes) bytes"))
            } catch {
                return .failure(self.error(.badRequest, "the body is not valid gzip (\(error))"))
            }
        case let other?:
            return .failure(self.error(.unsupportedMediaType, "Content-Encoding \(other) is not supported: send gzip, or none"))
        }
        return .success(Data(buffer.readBytes(length: buffer.readableBytes) ?? []))
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context): return "\((context.codingPath + [key]).map(\.stringValue).joined(separator: ".")) is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return (path.isEmpty ? "" : path + ": ") + context.debugDescription
        @unknown default: return "\(error)"
        }
    }

    // MARK: - Reads

    func report(_ changeID: String) throws -> Response {
        guard let sealed = try reads.sealedExperiment(changeID: changeID) else {
            return error(.notFound, "no started experiment has the change_id \(changeID)")
        }
        let evaluated = try ReportRun.evaluate(
            [(URL(fileURLWithPath: sealed.declaration.changeID), .success(sealed.declaration))], sandbox: sealed.sandbox,
            workspace: workspace, from: sealed.from, to: sealed.to, daily: false)[0].get()
        return try json(try reads.onRecord(ReportDocument(evaluated)))
    }

    // MARK: - Events

    func events(_ request: Request) async throws -> Response {
        let body: Data
        switch await collect(request) {
        case .success(let data): body = data
        case .failure(let response): return response
        }
        // `?token=` too: navigator.sendBeacon cannot set a header (the snippet's events).
        let token: AccessToken
        switch try bearerToken(request, .ingest, allowQueryToken: true) {
        case .success(let found): token = found
        case .failure(let refusal): return refusal.response
        }
        do {
            let report = try await intake.ingest(Ingester.Submission(body: body, source: "http:\(token.name)", actor: token.name))
            return try json(report)
        } catch let failure as IngestError {
            return error(.badRequest, failure.description)
        } catch {
            // The store's own failure (a full disk, say): the request's group was rolled back whole.
            return self.error(.serviceUnavailable, "the events were not stored (\(error)): send them again")
        }
    }

    // MARK: - Webhooks

    /// `POST /v1/hooks/PROVIDER`: the signature checked before anything reads the body (401
    /// and nothing stored when it fails), the body stored raw, 200 at once; the mapping reads
    /// it after the answer has gone.
    func hook(_ request: Request, _ context: VerdictRequestContext) async throws -> Response {
        let body: Data
        switch await collect(request) {
        case .success(let data): body = data
        case .failure(let response): return response
        }
        let provider = context.parameters.get("provider") ?? ""
        let headers = request.headers
        let answer: Result<HookIntake.Answer, any Error> = await withCheckedContinuation { done in
            DispatchQueue.global().async { [hooks] in
                done.resume(returning: Result {
                    try hooks.receive(provider: provider, body: body) { name in headers.first { $0.name.canonicalName == name.lowercased() }?.value }
                })
            }
        }
        switch answer {
        case .failure(let failure):
            return self.error(.serviceUnavailable, "the delivery was not stored (\(failure)); the provider sends it again")
        case .success(.notFound(let message)): return error(.notFound, message)
        case .success(.unauthorized(let message)): return error(.unauthorized, message)
        case .success(.accepted(let id, let duplicate)):
            readDeliveries()
            return try json(["delivery": "\(id)", "status": duplicate ? "duplicate" : "received"])
        }
    }

    /// Reads the deliveries not read yet, on a thread of its own; one reading at a time, and
    /// one more when deliveries came in meanwhile.
    func readDeliveries() {
        let start = hookWork.withLock { state -> Bool in
            if state.running {
                state.again = true
                return false
            }
            state.running = true
            return true
        }
        guard start else { return }
        DispatchQueue.global().async { [self] in
            while true {
                _ = try? hooks.processPending()
                let again = hookWork.withLock { state -> Bool in
                    if state.again {
                        state.again = false
                        return true
                    }
                    state.running = false
                    return false
                }
                if !again { return }
            }
        }
    }

    // MARK: - OFREP

    /// The flags as they stand, read again at most every second. A flag's answer depends on
    /// the visitor only through its variant and reason, so each distinct answer is encoded once
    /// per reading and its text reused (`FlagBoard.text`).
    final class FlagBoard: Sendable {
        let flags: [FlagStatus]
        let byKey: [String: FlagStatus]
        /// The state of each change, by change_id.
        let states: [String: ExperimentState]
        /// The workspace's local day when read (switchbacks change variant by day).
        let today: LocalDay
        let at: Date
        let texts = Mutex<[String: String]>([:])

        init(flags: [FlagStatus], states: [String: ExperimentState], today: LocalDay, at: Date) {
            self.flags = flags
            byKey = Dictionary(flags.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
            self.states = states
            self.today = today
            self.at = at
        }

        func evaluate(_ flag: FlagStatus, key: String?, cohort: String?) -> FlagEvaluation {
            FlagEvaluation(flag, changeState: states[flag.changeID]?.rawValue, targetingKey: key, cohort: cohort, day: today)
        }

        /// The compact JSON of `evaluation`, encoded once per flag, variant and reason.
        func text(_ evaluation: FlagEvaluation) throws -> String {
            let slot = evaluation.key + "\u{0}" + evaluation.variant + "\u{0}" + evaluation.reason
            if let text = texts.withLock({ $0[slot] }) { return text }
            let text = try JSONOutput.compact(evaluation)
            texts.withLock { $0[slot] = text }
            return text
        }
    }

    func flags() throws -> FlagBoard {
        if let cached = flagCache.withLock({ $0 }), Date().timeIntervalSince(cached.at) < 1 { return cached }
        let flags = try reads.flags()
        let states = Dictionary(try reads.statuses().map { ($0.changeID, $0.state) }, uniquingKeysWith: { _, last in last })
        let board = FlagBoard(flags: flags, states: states, today: workspace.today(clock), at: Date())
        flagCache.withLock { $0 = board }
        return board
    }

    /// The request's evaluation context: `targetingKey` and a `cohort` (or `user_cohort`). A
    /// body may be empty or have no context; anything else must be a JSON object.
    func context(_ body: Data) -> Result<(key: String?, cohort: String?), OFREPFailure> {
        guard !body.allSatisfy({ [0x20, 0x09, 0x0D, 0x0A].contains($0) }) else { return .success((nil, nil)) }
        guard !JSONNesting.exceeds(body, limit: 16) else {
            return .failure(OFREPFailure(code: "PARSE_ERROR", details: "the body nests deeper than 16 levels"))
        }
        guard let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] else {
            return .failure(OFREPFailure(code: "PARSE_ERROR", details: "the body is not a JSON object"))
        }
        guard let context = object["context"] else { return .success((nil, nil)) }
        guard let fields = context as? [String: Any] else {
            return .failure(OFREPFailure(code: "INVALID_CONTEXT", details: "context is not an object"))
        }
        let key = fields["targetingKey"]
        if key != nil, !(key is String) { return .failure(OFREPFailure(code: "INVALID_CONTEXT", details: "targetingKey is not a string")) }
        let cohort = (fields["cohort"] ?? fields["user_cohort"]) as? String
        return .success((key as? String, cohort))
    }

    struct OFREPFailure: Error, Encodable {
        var key: String?
        var code: String
        var details: String

        enum CodingKeys: String, CodingKey {
            case key
            case code = "errorCode", details = "errorDetails"
        }
    }

    func evaluateOne(_ request: Request, _ routing: VerdictRequestContext) async throws -> Response {
        let key = routing.parameters.get("key") ?? ""
        if configuration.flagsNeedToken, let denied = denied(request) { return denied }
        guard case .success(let body) = await collect(request) else { return error(.contentTooLarge, "the body is too large") }
        switch context(body) {
        case .failure(var failure):
            failure.key = key
            return try json(failure, status: .badRequest)
        case .success(let visitor):
            let board = try flags()
            guard let flag = board.byKey[key] else {
                return try json(OFREPFailure(key: key, code: "FLAG_NOT_FOUND", details: "no flag named \(key)"), status: .notFound)
            }
            return text(try board.text(board.evaluate(flag, key: visitor.key, cohort: visitor.cohort)))
        }
    }

    func evaluateAll(_ request: Request, _ routing: VerdictRequestContext) async throws -> Response {
        if configuration.flagsNeedToken, let denied = denied(request) { return denied }
        guard case .success(let body) = await collect(request) else { return error(.contentTooLarge, "the body is too large") }
        switch context(body) {
        case .failure(let failure):
            return try json(failure, status: .badRequest)
        case .success(let visitor):
            let board = try flags()
            let text = "{\"flags\":[" + (try board.flags.map { try board.text(board.evaluate($0, key: visitor.key, cohort: visitor.cohort)) })
                .joined(separator: ",") + "]}"
            var response = self.text(text)
            let tag = "\"" + String(sha256Hex(text).prefix(32)) + "\""
            if let wanted = request.headers[.ifNoneMatch], wanted.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == tag }) {
                response = Response(status: .notModified)
            }
            response.headers[.eTag] = tag
            return response
        }
    }

    /// OFREP with `flagsNeedToken`: a `read` token, or the refusal.
    func denied(_ request: Request) -> Response? {
        guard let secret = bearer(request) else { return error(.unauthorized, "flags need a token with the read scope here") }
        guard let token = try? tokenCheck().token(for: secret), token.allows(.read) else { return error(.unauthorized, "the token is not known, or lacks the read scope") }
        return nil
    }

    // MARK: - Answers

    func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        text(try JSONOutput.encode(value), status: status)
    }

    /// An answer of JSON text already encoded.
    func text(_ json: String, status: HTTPResponse.Status = .ok) -> Response {
        var response = Response(status: status, body: ResponseBody(byteBuffer: ByteBuffer(string: json + "\n")))
        response.headers[.contentType] = "application/json"
        return response
    }

    func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        (try? json(["error": message], status: status)) ?? Response(status: status)
    }
}
