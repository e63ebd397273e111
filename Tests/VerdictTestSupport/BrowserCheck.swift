import Foundation

/// Checks with real clients, in Python: the dashboard in a real browser
/// (Tests/Browser/dashboard_check.py: headless Chromium and chromium-driver from Debian, which
/// `make setup` installs, driven by Selenium, with axe-core from PyPI's axe-selenium-python), and
/// the OpenFeature SDK's OFREP provider against `verdict serve` (Tests/Clients). One virtual
/// environment of the tests' own (`.build/test-venv`, made once).
public enum BrowserCheck {
    /// The Python packages, pinned.
    static let packages = [
        "selenium==4.51.0", "axe-selenium-python==2.1.6", "pillow==13.0.0", "openfeature-sdk==0.10.0", "openfeature-provider-ofrep==0.3.0",
    ]

    /// python3, when the machine has it.
    public static let python: URL? = ["/usr/bin/python3", "/usr/local/bin/python3", "/bin/python3"]
        .map(URL.init(fileURLWithPath:)).first { FileManager.default.isExecutableFile(atPath: $0.path) }

    /// Why the browser cannot run here, or nil when it can: Chromium and its driver are part of
    /// what `make setup` installs, so their absence is a failure, not a skip.
    public static var missingBrowser: String? {
        let missing = ["/usr/bin/chromium", "/usr/bin/chromedriver"].filter { !FileManager.default.isExecutableFile(atPath: $0) }
        return missing.isEmpty ? nil : "\(missing.joined(separator: " and ")) missing: run `make setup` (Debian packages chromium, chromium-driver)"
    }

    /// The virtual environment's python, made on first use; the error says what failed.
    static let environment: Result<URL, SetupError> = {
        guard let python else { return .failure(SetupError(message: "python3 is not installed")) }
        let folder = Repository.file(".build/test-venv")
        let venvPython = folder.appendingPathComponent("bin/python")
        let check = "import selenium, axe_selenium_python, PIL, openfeature.contrib.provider.ofrep; assert selenium.__version__ == '4.51.0'"
        if let done = try? VerdictProcess.run(program: venvPython, ["-c", check], in: Repository.root, environment: [:]), done.status == 0 {
            return .success(venvPython)
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for step in [[python.path, "-m", "venv", folder.path], [venvPython.path, "-m", "pip", "install", "--quiet"] + packages] {
            guard let done = try? VerdictProcess.run(program: URL(fileURLWithPath: step[0]), Array(step.dropFirst()), in: Repository.root, environment: ["PATH": path, "HOME": NSTemporaryDirectory()]),
                done.status == 0
            else {
                return .failure(SetupError(message: "`\(step.joined(separator: " "))` failed"))
            }
        }
        return .success(venvPython)
    }()

    public struct SetupError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Runs the dashboard's check with `arguments` after the verdict binary and a work folder.
    public static func run(_ arguments: [String], in folder: URL) throws -> ProcessResult {
        try run(script: "Tests/Browser/dashboard_check.py", arguments, in: folder)
    }

    /// Runs a check script of the repository with the verdict binary, a work folder and `arguments`.
    public static func run(script: String, _ arguments: [String], in folder: URL) throws -> ProcessResult {
        let python = try environment.get()
        return try VerdictProcess.run(
            program: python, [Repository.file(script).path, try VerdictProcess.executable.path, folder.path] + arguments,
            in: folder, environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": folder.path])
    }
}
