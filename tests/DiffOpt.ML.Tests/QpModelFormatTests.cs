using DiffOpt.ML.Persistence;

namespace DiffOpt.ML.Tests;

/// <summary>The model record of the QP layer's file: the current format round-trips, the initial one still loads.</summary>
public class QpModelFormatTests
{
    [Fact]
    public void TotalVariationRecord_RoundTripsInTheCurrentFormat()
    {
        var model = new TotalVariationQpModel
        {
            DifferenceInit = DifferenceOperatorInit.Random, InitialRegularization = 2.5, LearnRegularization = false,
            LearnAdaptiveWeights = true, AdaptiveWeightWindow = 5, DifferenceBandwidth = 2,
        };
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            QpModelFormat.Write(writer, model);
        stream.Position = 0;
        using var reader = new BinaryReader(stream);

        Assert.Equal(model, QpModelFormat.Read(reader, "test", QpModelFormat.CurrentVersion));
        Assert.Equal(stream.Length, stream.Position);
    }

    [Fact]
    public void TotalVariationRecord_OfTheInitialFormat_LoadsWithoutAdaptiveWeights()
    {
        // The initial layout: kind 2; int DifferenceInit; double InitialRegularization; bool LearnRegularization.
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write((byte)2);
            writer.Write((int)DifferenceOperatorInit.FirstDifference);
            writer.Write(21.0);
            writer.Write(true);
        }
        stream.Position = 0;
        using var reader = new BinaryReader(stream);

        var model = Assert.IsType<TotalVariationQpModel>(QpModelFormat.Read(reader, "test", QpModelFormat.InitialVersion));
        Assert.Equal(new TotalVariationQpModel { InitialRegularization = 21.0, LearnRegularization = true }, model);
        Assert.False(model.LearnAdaptiveWeights);
        Assert.Equal(stream.Length, stream.Position);
    }
}
