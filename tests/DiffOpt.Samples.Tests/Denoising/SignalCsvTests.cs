using Denoising.Data;

namespace DiffOpt.Samples.Tests.Denoising;

public class SignalCsvTests
{
    [Fact]
    public void Header_IsX0ToX99ThenY0ToY99()
    {
        var names = SignalCsv.Header.Split(',');
        Assert.Equal(200, names.Length);
        Assert.Equal(["x0", "x1"], names[..2]);
        Assert.Equal("x99", names[99]);
        Assert.Equal("y0", names[100]);
        Assert.Equal("y99", names[199]);
    }

    [Fact]
    public void WriteThenRead_RoundTripsToSixDecimals()
    {
        var examples = new SignalGenerator(1).Generate(4);
        var writer = new StringWriter();
        SignalCsv.Write(writer, examples);
        var back = SignalCsv.Read(new StringReader(writer.ToString()), "memory");
        Assert.Equal(4, back.Count);
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(examples[i].Clean, back[i].Clean);
            for (int j = 0; j < 100; j++) Assert.Equal(examples[i].Noisy[j], back[i].Noisy[j], 5e-6f);
        }
    }

    [Fact]
    public void Read_SplitsNoisyAndCleanColumns()
    {
        var row = string.Join(',', Enumerable.Range(0, 200).Select(i => i.ToString()));
        var e = SignalCsv.Read(new StringReader(SignalCsv.Header + "\n" + row + "\n"), "m").Single();
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (float)i), e.Noisy);
        Assert.Equal(Enumerable.Range(100, 100).Select(i => (float)i), e.Clean);
    }

    [Theory]
    [InlineData("x0,x1\n", "line 1 should be the header")]
    [InlineData("{header}\n", "no records")]
    [InlineData("{header}\n1,2,3\n", "line 2: expected 200 values")]
    [InlineData("{header}\n{row-bad}\n", "line 2: field y4 is \"abc\"")]
    [InlineData("{header}\n{row-nan}\n", "field x0 is \"NaN\"")]
    public void Read_RejectsMalformedText_NamingLineAndField(string template, string message)
    {
        var good = Enumerable.Repeat("1.5", 200).ToArray();
        var bad = (string[])good.Clone();
        bad[104] = "abc";
        var nan = (string[])good.Clone();
        nan[0] = "NaN";
        var text = template.Replace("{header}", SignalCsv.Header).Replace("{row-bad}", string.Join(',', bad)).Replace("{row-nan}", string.Join(',', nan));
        var e = Assert.Throws<InvalidDataException>(() => SignalCsv.Read(new StringReader(text), "bad.csv"));
        Assert.Contains(message, e.Message);
    }
}
