import Foundation
import GRDB

/// Whether a failure is the disk being full, so that it is said in those words.
public enum DiskSpace {
    /// Bytes free for this user on the file system that holds `path` (or the nearest folder of
    /// it that exists); nil when it cannot be told.
    public static func available(at path: String) -> UInt64? {
        var url = URL(fileURLWithPath: path)
        while !FileManager.default.fileExists(atPath: url.path) && url.pathComponents.count > 1 {
            url.deleteLastPathComponent()
        }
        var stats = statvfs()
        guard statvfs(url.path, &stats) == 0 else { return nil }
        return UInt64(stats.f_bavail) * UInt64(stats.f_frsize)
    }

    /// The disk is full when SQLite says so (SQLITE_FULL), or when an I/O error meets a file
    /// system with less free space than a page or two (SQLite reports a failed -shm extension,
    /// for one, as a plain I/O error).
    public static func isFull(_ error: any Error, at path: String) -> Bool {
        if let error = error as? DatabaseError {
            if error.resultCode == .SQLITE_FULL { return true }
            guard error.resultCode == .SQLITE_IOERR else { return false }
        } else if let error = error as? CocoaError {
            if error.code == .fileWriteOutOfSpace { return true }
            guard error.code.rawValue >= 512 && error.code.rawValue < 1024 else { return false }  // file write errors
        } else {
            let code = (error as NSError).domain == NSPOSIXErrorDomain ? (error as NSError).code : 0
            if code == Int(ENOSPC) { return true }
            return false
        }
        return (available(at: path) ?? .max) < 64 * 1024
    }
}
