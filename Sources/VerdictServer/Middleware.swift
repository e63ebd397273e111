import Foundation
import Hummingbird
import Logging
import Synchronization
import VerdictCore

/// CORS for the origins `verdict.lua` allows (`server = { cors = { "https://..." } }`): their
/// pages may call the server from the browser (the snippet's OFREP and events); any other
/// origin gets no CORS headers, so the browser keeps its answers from the page, and its
/// preflights are refused.
struct AllowedOrigins: RouterMiddleware {
    typealias Context = VerdictRequestContext
    let origins: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin] else { return try await next(request, context) }
        let allowed = origins.contains(origin)
        if request.method == .options {
            guard allowed else { return Response(status: .forbidden) }
            var response = Response(status: .noContent)
            response.headers[.accessControlAllowOrigin] = origin
            response.headers[.accessControlAllowMethods] = "GET, POST, OPTIONS"
            response.headers[.accessControlAllowHeaders] = "Authorization, Content-Type, If-None-Match"
            response.headers[.accessControlMaxAge] = "600"
            response.headers[.vary] = "Origin"
            return response
        }
        var response = try await next(request, context)
        if allowed {
            response.headers[.accessControlAllowOrigin] = origin
            response.headers[.accessControlExposeHeaders] = "ETag, Retry-After"
            response.headers[.vary] = "Origin"
        }
        return response
    }
}

/// At most `perMinute` requests a minute per client address and per bearer token; beyond it,
/// 429 with `Retry-After` in whole seconds (until the minute's window ends).
struct RateLimit: RouterMiddleware {
    typealias Context = VerdictRequestContext
    let perMinute: Int
    let windows = Windows()

    final class Windows: Sendable {
        /// Per key: the window's minute and the requests counted in it.
        let counts = Mutex<(minute: Int64, counts: [String: Int])>((0, [:]))
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // Webhooks are signed, and a provider that is refused may not send again (CallRail does not retry).
        guard perMinute > 0, !request.uri.path.hasPrefix("/v1/hooks/") else { return try await next(request, context) }
        var keys = ["address " + (context.remoteAddress?.ipAddress ?? "unknown")]
        if let authorization = request.headers[.authorization] { keys.append("token " + authorization) }
        let now = Date().timeIntervalSince1970
        let minute = Int64(now / 60)
        let over = windows.counts.withLock { state -> Bool in
            if state.minute != minute { state = (minute, [:]) }
            var over = false
            for key in keys {
                let count = (state.counts[key] ?? 0) + 1
                state.counts[key] = count
                if count > perMinute { over = true }
            }
            return over
        }
        guard !over else {
            let wait = max(1, Int((Double(minute + 1) * 60 - now).rounded(.up)))
            var response = Response(
                status: .tooManyRequests,
                body: ResponseBody(byteBuffer: ByteBuffer(string: "{\n  \"error\": \"over \(perMinute) requests a minute: try again in \(wait) s\"\n}\n")))
            response.headers[.contentType] = "application/json"
            response.headers[.retryAfter] = String(wait)
            return response
        }
        return try await next(request, context)
    }
}

/// Refusals that come before any route, each answered as JSON:
/// - HTTP/1.1 requires a Host header (RFC 9112 §3.2): a request without one is 400;
/// - a `Content-Length` over the body limit is 413 at once, before any of the body is read, and
///   the connection is closed rather than drained;
/// - a path no route serves is 404 with a JSON body that names it (Hummingbird's own is empty).
struct RequestGuard: RouterMiddleware {
    typealias Context = VerdictRequestContext
    let maxBodyBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.head.authority?.isEmpty == false else {
            return Self.answer(.badRequest, "the request has no Host header, which HTTP/1.1 requires (RFC 9112 section 3.2)")
        }
        if let length = request.headers[.contentLength] {
            guard let bytes = Int(length.trimmingCharacters(in: .whitespaces)), bytes >= 0 else {
                return Self.answer(.badRequest, "Content-Length \"\(length.prefix(40))\" is not a number of bytes")
            }
            if bytes > maxBodyBytes {
                var response = Self.answer(.contentTooLarge, "the body (\(bytes) bytes) is over the limit of \(maxBodyBytes) bytes")
                response.headers[.connection] = "close"
                return response
            }
        }
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound || error.status == .methodNotAllowed {
            let what = error.status == .notFound ? "no endpoint serves" : "the endpoint does not take"
            return Self.answer(error.status, "\(what) \(request.method.rawValue) \(RequestLog.redacted(request.uri.path)); see docs/server.md")
        }
    }

    static func answer(_ status: HTTPResponse.Status, _ message: String) -> Response {
        let text = (try? JSONOutput.encode(["error": message])) ?? "{}"
        var response = Response(status: status, body: ResponseBody(byteBuffer: ByteBuffer(string: text + "\n")))
        response.headers[.contentType] = "application/json"
        return response
    }
}

/// One log line per request, with its id (`hb.request.id`), method, path, status and time. The
/// query is left out: a snippet's beacon carries its token there. Anything token-like in the
/// path itself is redacted too (`redacted(_:)`).
struct RequestLog: RouterMiddleware {
    typealias Context = VerdictRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        func log(_ status: String) {
            let elapsed = ContinuousClock.now - start
            let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            context.logger.info(
                "request",
                metadata: [
                    "method": .string(request.method.rawValue), "path": .string(Self.redacted(request.uri.path)), "status": .string(status),
                    "ms": .string(String(format: "%.1f", milliseconds)),
                ])
        }
        do {
            let response = try await next(request, context)
            log(String(response.status.code))
            return response
        } catch let error as any HTTPResponseError {
            log(String(error.status.code))
            throw error
        } catch {
            log("500")
            throw error
        }
    }
}

extension RequestLog {
    /// The path as it may be logged: percent-escapes decoded first (so an escaped `?` or `t` is
    /// seen), then every Verdict token (`vdt_…`) and every value given for a parameter named like
    /// a token, key or secret (`;token=…`, `?api_key=…`, even inside the path) replaced by `REDACTED`.
    static func redacted(_ path: String) -> String {
        var text = path
        // Decode repeatedly: `%253F` is `%3F` once decoded, `?` twice.
        for _ in 0..<3 {
            guard let decoded = text.removingPercentEncoding, decoded != text else { break }
            text = decoded
        }
        text = text.replacing(/(?i)vdt_[0-9a-z_\-]*/, with: "vdt_REDACTED")
        text = text.replacing(
            /(?i)((?:token|access_token|api_key|apikey|key|secret|password|auth|authorization|bearer)\s*[=:])[^\/;&?#\s]*/
        ) { match in match.output.1 + "REDACTED" }
        // Keep the line printable: no control characters from a hostile path.
        return String(text.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : Character($0) })
    }
}
