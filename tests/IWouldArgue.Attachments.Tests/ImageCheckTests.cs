namespace IWouldArgue.Attachments.Tests;

/// <summary>
/// What <see cref="ImageCheck"/> reads of each format's size, and that no format may declare more than
/// <see cref="ImageCheck.MaxPixels"/> (a small file that decodes to a bitmap of gigabytes in every viewer's browser).
/// </summary>
public sealed class ImageCheckTests : IDisposable
{
    private readonly string _path = Path.GetTempFileName();

    public void Dispose() => File.Delete(_path);

    [Theory]
    [InlineData("jpeg", "image/jpeg")]
    [InlineData("gif", "image/gif")]
    [InlineData("webp-lossless", "image/webp")]
    [InlineData("webp-extended", "image/webp")]
    public void AWellFormedImage_ReportsTheSizeItDeclares(string format, string mediaType)
    {
        File.WriteAllBytes(_path, TestImages.Of(format, 640, 480));

        Assert.Equal((640L, 480L), ImageCheck.Inspect(_path, mediaType));
        Assert.Equal(mediaType, FileTypes.Detect(_path, "picture"));
    }

    [Theory]
    [InlineData("jpeg", "image/jpeg", 20_000, 20_000)]
    [InlineData("jpeg", "image/jpeg", 65_535, 1_600)]
    [InlineData("gif", "image/gif", 20_000, 20_000)]
    [InlineData("webp-lossless", "image/webp", 16_384, 16_384)]
    [InlineData("webp-extended", "image/webp", 20_000, 20_000)]
    public void AnImageDeclaringMoreThan100Megapixels_IsNoImage(string format, string mediaType, int width, int height)
    {
        File.WriteAllBytes(_path, TestImages.Of(format, width, height));

        Assert.Null(ImageCheck.Inspect(_path, mediaType));
        Assert.Null(FileTypes.Detect(_path, "picture"));
    }

    [Fact]
    public void AGifWhoseImageIsHugerThanItsScreen_IsNoImage()
    {
        File.WriteAllBytes(_path, TestImages.Gif(16, 16, 60_000, 60_000));

        Assert.Null(ImageCheck.Inspect(_path, "image/gif"));
    }

    [Theory]
    [InlineData("jpeg", "image/jpeg")]
    [InlineData("gif", "image/gif")]
    [InlineData("webp-lossless", "image/webp")]
    public void AnImageOfExactly100Megapixels_IsAccepted(string format, string mediaType)
    {
        File.WriteAllBytes(_path, TestImages.Of(format, 10_000, 10_000));

        Assert.Equal((10_000L, 10_000L), ImageCheck.Inspect(_path, mediaType));
    }

    [Fact]
    public void AJpegWhoseHeightIsLeftForLater_IsNoImage()
    {
        File.WriteAllBytes(_path, TestImages.Jpeg(640, 0));

        Assert.Null(ImageCheck.Inspect(_path, "image/jpeg"));
    }
}
