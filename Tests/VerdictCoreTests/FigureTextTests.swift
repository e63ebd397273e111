import Testing
import VerdictCore

/// One way to write a figure, for every surface.
@Suite struct FigureTextTests {
    @Test func percentages() {
        #expect(FigureText.percent(0.6104) == "61.0%")
        #expect(FigureText.percent(0.61, trimmed: true) == "61%")
        #expect(FigureText.percent(0.05, trimmed: true) == "5%")
        #expect(FigureText.percent(-0.167, signed: true) == "-16.7%")
        #expect(FigureText.percent(1.387, signed: true) == "+138.7%")
        #expect(FigureText.percent(0, signed: true) == "+0.0%")
        #expect(FigureText.percent(-0.0001, signed: true) == "+0.0%")  // rounds to zero: no "-0.0"
        #expect(FigureText.percent(0.00125, digits: 2) == "0.13%")  // half away from zero
        #expect(FigureText.percent(-0.00125, digits: 2) == "-0.13%")
        #expect(FigureText.percent(.infinity, signed: true) == "+∞%")
        #expect(FigureText.percent(-.infinity) == "-∞%")
        #expect(FigureText.percent(.nan) == "—")
    }

    @Test func numbers() {
        #expect(FigureText.number(0.30303, digits: 4) == "0.3030")
        #expect(FigureText.number(2.5, digits: 0) == "3")
        #expect(FigureText.number(12.50, digits: 2, trimmed: true) == "12.5")
        #expect(FigureText.number(-.infinity, digits: 1) == "-∞")
    }
}
