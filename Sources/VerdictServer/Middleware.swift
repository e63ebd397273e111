import Foundation
import Hummingbird
import Logging
import Synchronization

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
        guard perMinute > 0 else { return try await next(request, context) }
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

/// One log line per request, with its id (`hb.request.id`), method, path, status and time. The
/// query is left out: a snippet's beacon carries its token there.
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
                    "method": .string(request.method.rawValue), "path": .string(request.uri.path), "status": .string(status),
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
