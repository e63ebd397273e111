import VerdictCommands

/// The `verdict` executable: everything lives in VerdictCommands.
@main
enum VerdictMain {
    static func main() async {
        await VerdictCommand.runMain()
    }
}
