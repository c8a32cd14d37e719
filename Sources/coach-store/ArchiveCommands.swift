import CoachPersistence
import Foundation

/// `export` writes contexts as JSON; `import` reads that JSON back into a store.
enum ArchiveCommands {
    static let export = Command(
        spec: CommandSpec(
            name: "export", summary: "write contexts as JSON on stdout: one user's, or every user's",
            arguments: [Store.directory, ArgumentSpec(name: "USER", optional: true, help: "export only this user")],
            details: """
                With USER, the output is that context's JSON object; without, a JSON array of every context,
                sorted by user id. Pretty-printed with sorted keys; 'coach-store import' reads either back.
                Read-only: safe while an app has the store open. Exit status 1, with nothing written,
                if a user cannot be read.
                """),
        run: { args in
            let directory = args.argument("DIR")!
            let inspector = try Store.inspector(directory)
            if let userID = args.argument("USER") {
                guard let context = try inspector.context(userID: userID) else {
                    throw Store.noSuchUser(inspector, userID, directory: directory)
                }
                Output.raw(try ContextArchive.encode(context))
            } else {
                Output.raw(try ContextArchive.encode(try inspector.contexts()))
            }
            return .ok
        })

    static let `import` = Command(
        spec: CommandSpec(
            name: "import", summary: "save the contexts of an export file into a store (created if need be)",
            arguments: [Store.directory, ArgumentSpec(name: "FILE", help: "a file written by export, or - for standard input")],
            details: """
                Reads a context object or an array of them, as export writes, and saves each through the
                store, replacing what it held for that user. DIR is created as a new store if it does not
                exist or is empty. Takes the store's write lock: stop the app first.
                """),
        run: { args in
            let directory = args.argument("DIR")!, file = args.argument("FILE")!
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
            Output.line("Imported \(Output.count(report.saved, "context")) into \(directory) (\(report.added) new, \(report.replaced) replaced).")
            return .ok
        })
}
