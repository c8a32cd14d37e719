import CoachPersistence
import CommandLineParsing
import Foundation

/// `import`: saves the contexts of an export into a store.
struct ImportCommand: CoachStoreCommand {
    static let spec = CommandSpec(
        name: "import", summary: "save the contexts of an export file into a store (created if need be)",
        arguments: [Store.directory, ArgumentSpec(name: "FILE", help: "a file written by export, or - for standard input")],
        details: """
            Reads a context object or an array of them, as export writes, and saves each through the
            store, replacing what it held for that user; a context equal to the stored one is left
            unchanged (nothing is written). Timestamps may be in any ISO 8601 form with a zone
            (2026-01-01T00:00:00Z, …+02:00); they are stored in the canonical form. Each user saved is
            compacted into a readable snapshot.json. DIR is created as a new store if it does not exist
            or is empty. Takes the store's write lock: stop the app first.
            """)

    let directory: String
    let file: String

    init(parsing arguments: ParsedArguments) {
        directory = arguments.required("DIR")
        file = arguments.required("FILE")
    }

    func run() async throws -> ExitStatus {
        let data: Data
        if file == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) else {
                throw CommandFailure("There is no file \(file) to import")
            }
            guard !isDirectory.boolValue, let contents = FileManager.default.contents(atPath: file) else {
                throw CommandFailure("Could not read \(file)\(isDirectory.boolValue ? ": it is a folder" : "")")
            }
            data = contents
        }
        let contexts: [CoachContext]
        do {
            contexts = try ContextArchive.decode(data)
        } catch let error as StateStoreError {
            var text = error.description
            if case .notAnExport = error { text = text.replacingOccurrences(of: "The input", with: file == "-" ? "Standard input" : file) }
            throw CommandFailure(text)
        }
        let store = try await Store.writable(URL(fileURLWithPath: directory))
        let report: ContextArchive.ImportReport
        do {
            report = try await ContextArchive.save(contexts, to: store)
            try await store.close()
        } catch {
            try? await store.close()
            throw error
        }
        Output.line("Imported \(Output.count(report.saved, "context")) into \(directory) (\(report.added) new, \(report.replaced) replaced, \(report.unchanged) unchanged).")
        return .ok
    }
}
