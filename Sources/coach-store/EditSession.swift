import CoachPersistence
import Foundation

/// The temporary file `coach-store edit` hands to the editor, and the editor itself.
struct EditSession {
    /// The file the editor opens: `<temp>/coach-store-edit-XXXXXX/context.json`.
    let file: URL

    /// A new temporary folder holding nothing yet.
    init(original: Data, userID: String) throws {
        var template = Array((NSTemporaryDirectory() + "/coach-store-edit-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw CommandFailure("Could not create a temporary folder for the edit: \(String(cString: strerror(errno)))")
        }
        file = URL(fileURLWithPath: String(cString: made)).appendingPathComponent("context.json")
    }

    func write(_ data: Data) throws {
        do {
            try data.write(to: file)
        } catch {
            throw CommandFailure("Could not write \(file.path): \(error.localizedDescription)")
        }
    }

    func read() throws -> Data {
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw CommandFailure("The editor removed \(file.path); nothing was saved")
        }
        return data
    }

    /// `$VISUAL`, else `$EDITOR`, else `vi`, run through the shell (so `code --wait` works) on
    /// the file, with the terminal; a failed editor ends the edit.
    func runEditor() throws {
        let environment = ProcessInfo.processInfo.environment
        let editor = [environment["VISUAL"], environment["EDITOR"]].compactMap { $0 }.first { !$0.isEmpty } ?? "vi"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", editor + " \"$1\"", "sh", file.path]
        do {
            try process.run()
        } catch {
            throw CommandFailure("Could not start the editor '\(editor)': \(error.localizedDescription)")
        }
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw CommandFailure("The editor '\(editor)' failed (status \(process.terminationStatus)); nothing was saved. Your edit is kept in \(file.path)")
        }
    }

    /// Nothing changed: say so, remove the file, write nothing.
    func unchanged() -> ExitStatus {
        remove()
        Output.line("No change; nothing was written.")
        return .ok
    }

    func remove() {
        try? FileManager.default.removeItem(at: file.deletingLastPathComponent())
    }
}
