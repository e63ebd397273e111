import Testing
@testable import VerdictDashboard

@Suite struct EscapingTests {
    @Test func markupInTextCannotOpenAnElement() {
        #expect(escape("<script>alert('x')</script> & \"q\"") == "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;")
    }
}
