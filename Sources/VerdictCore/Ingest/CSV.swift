/// RFC 4180 CSV, as job-management software and spreadsheets export it: fields separated by
/// commas, quoted with double quotes when they hold commas, quotes (doubled) or line breaks;
/// records end with LF or CRLF; an optional UTF-8 byte order mark.
enum CSV {
    /// Why a record could not be read.
    struct Failure: Error, Equatable {
        var message: String
    }

    /// The fields of one record.
    static func fields(_ record: UnsafeBufferPointer<UInt8>) -> Result<[String], Failure> {
        var fields: [String] = []
        var i = 0
        let count = record.count
        var field: [UInt8] = []
        while true {
            field.removeAll(keepingCapacity: true)
            if i < count, record[i] == UInt8(ascii: "\"") {
                i += 1
                while true {
                    guard i < count else { return .failure(Failure(message: "a quoted field has no closing quote")) }
                    let byte = record[i]
                    if byte == UInt8(ascii: "\"") {
                        if i + 1 < count, record[i + 1] == UInt8(ascii: "\"") {
                            field.append(byte)
                            i += 2
                            continue
                        }
                        i += 1
                        break
                    }
                    field.append(byte)
                    i += 1
                }
                guard i == count || record[i] == UInt8(ascii: ",") else {
                    return .failure(Failure(message: "text after the closing quote of field \(fields.count + 1)"))
                }
            } else {
                let start = i
                while i < count, record[i] != UInt8(ascii: ",") {
                    if record[i] == UInt8(ascii: "\"") {
                        return .failure(Failure(message: "a quote inside unquoted field \(fields.count + 1) (quote the whole field and double the quote)"))
                    }
                    i += 1
                }
                field.append(contentsOf: UnsafeBufferPointer(rebasing: record[start..<i]))
            }
            guard let text = field.withUnsafeBufferPointer({ UTF8Check.isValid($0) ? String(decoding: $0, as: UTF8.self) : nil }) else {
                return .failure(Failure(message: "field \(fields.count + 1) is not valid UTF-8 (a file saved as plain CSV by Excel on Windows is Windows-1252: ingest it with --encoding windows-1252)"))
            }
            fields.append(text)
            if i == count { return .success(fields) }
            i += 1  // the comma
        }
    }
}
