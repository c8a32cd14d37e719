import Foundation

/// Splits a journal's bytes into lines and decodes each, without judging the whole.
/// ``JournalReplay`` decides what the lines mean (a torn tail, corruption, what to replay).
enum JournalReader {
    /// One line of a journal.
    struct Line: Sendable {
        /// 1-based line number, as an editor shows it.
        var number: Int
        /// The line's bytes in the file, newline included when there is one.
        var range: Range<Int>
        /// The record, or why the line is not one.
        var result: Result<JournalRecord, JournalRecord.LineError>

        var record: JournalRecord? { try? result.get() }
        /// Whether the checksum held (a decoded record, or an undecodable one).
        var checksumHolds: Bool {
            if case .failure(.damaged) = result { return false }
            return true
        }
        /// For a damaged line: whether a sound record is embedded in it after its start, as when
        /// the newline between two records was damaged and they read as one line. A torn append
        /// is a prefix of one record and never holds a whole other one.
        var embedsSoundRecord = false
    }

    /// Whether a record whose checksum holds starts somewhere after the first byte of `line`.
    private static func embedsSoundRecord(_ line: ArraySlice<UInt8>, decoder: JSONDecoder) -> Bool {
        let marker = Array(#"{"seq":"#.utf8)
        var index = line.startIndex + 1
        while index + marker.count <= line.endIndex {
            if line[index] == marker[0], line[index..<(index + marker.count)].elementsEqual(marker) {
                switch JournalRecord.decode(line: line[index...], decoder: decoder) {
                case .success, .failure(.undecodable): return true
                case .failure(.damaged): break
                }
            }
            index += 1
        }
        return false
    }

    /// Every line of `bytes`; a last line without its newline is reported as damaged.
    static func scan(_ bytes: [UInt8], decoder: JSONDecoder = JSONCoding.decoder()) -> [Line] {
        var lines: [Line] = []
        var start = 0
        while start < bytes.count {
            let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n"))
            let end = newline.map { $0 + 1 } ?? bytes.count
            let result: Result<JournalRecord, JournalRecord.LineError> =
                newline == nil
                ? .failure(.damaged("incomplete last line (\(end - start) bytes, no newline)"))
                : JournalRecord.decode(line: bytes[start..<(end - 1)], decoder: decoder)
            var line = Line(number: lines.count + 1, range: start..<end, result: result)
            if !line.checksumHolds {
                line.embedsSoundRecord = embedsSoundRecord(bytes[start..<(newline ?? end)], decoder: decoder)
            }
            lines.append(line)
            start = end
        }
        return lines
    }
}
