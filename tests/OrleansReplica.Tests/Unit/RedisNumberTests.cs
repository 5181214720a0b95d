using System.Text;
using OrleansReplica.Protocol.Text;

namespace OrleansReplica.Tests.Unit;

/// <summary>
/// Redis 7.0 number texts. Expected values were observed on redis-server 7.0.15 (INCRBY, ZADD/ZSCORE,
/// INCRBYFLOAT, DEBUG PROTOCOL) or, for printf corner cases, from glibc's printf on x86-64.
/// </summary>
public sealed class RedisNumberTests
{
    [Theory]
    [InlineData("0", 0L)]
    [InlineData("1", 1L)]
    [InlineData("-1", -1L)]
    [InlineData("12345", 12345L)]
    [InlineData("9223372036854775807", long.MaxValue)]
    [InlineData("-9223372036854775808", long.MinValue)]
    public void Parses_canonical_integers(string text, long expected)
    {
        Assert.True(RedisNumber.TryParseInt64(Encoding.ASCII.GetBytes(text), out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-")]
    [InlineData("-0")]
    [InlineData("+1")]
    [InlineData("01")]
    [InlineData("00")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("1.0")]
    [InlineData("1e3")]
    [InlineData("0x10")]
    [InlineData("9223372036854775808")]
    [InlineData("-9223372036854775809")]
    [InlineData("99999999999999999999")]
    [InlineData("18446744073709551616")]
    [InlineData("00000000000000000001")]
    [InlineData("123456789012345678901")]
    [InlineData("1\u00002")]
    public void Rejects_what_redis_calls_not_an_integer(string text)
    {
        Assert.False(RedisNumber.TryParseInt64(Encoding.Latin1.GetBytes(text), out _));
    }

    [Theory]
    [InlineData("1", 1.0)]
    [InlineData("-2.5", -2.5)]
    [InlineData("0x10", 16.0)]
    [InlineData("0x1p3", 8.0)]
    [InlineData("0X1P-2", 0.25)]
    [InlineData("0x.8", 0.5)]
    [InlineData("1e3", 1000.0)]
    [InlineData("1e+3", 1000.0)]
    [InlineData("1E-2", 0.01)]
    [InlineData("1.", 1.0)]
    [InlineData(".5", 0.5)]
    [InlineData("+1", 1.0)]
    [InlineData("00012", 12.0)]
    [InlineData("0e999999", 0.0)]
    [InlineData("1e-310", 1e-310)]
    [InlineData("inf", double.PositiveInfinity)]
    [InlineData("+inf", double.PositiveInfinity)]
    [InlineData("-inf", double.NegativeInfinity)]
    [InlineData("Infinity", double.PositiveInfinity)]
    [InlineData("-INF", double.NegativeInfinity)]
    [InlineData("0.1", 0.1)]
    [InlineData("123456789012345678", 123456789012345678.0)]
    public void Parses_doubles_as_strtod(string text, double expected)
    {
        Assert.True(RedisNumber.TryParseDouble(Encoding.ASCII.GetBytes(text), out var value));
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(value));
    }

    [Fact]
    public void Keeps_the_sign_of_negative_zero()
    {
        Assert.True(RedisNumber.TryParseDouble("-0"u8, out var value));
        Assert.True(double.IsNegative(value) && value == 0);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("\t1")]
    [InlineData("nan")]
    [InlineData("NaN")]
    [InlineData("-nan")]
    [InlineData("nan(123)")]
    [InlineData("1e400")]
    [InlineData("-1e400")]
    [InlineData("1e-400")]
    [InlineData("-1e-400")]
    [InlineData(".")]
    [InlineData("-")]
    [InlineData("1e")]
    [InlineData("1e+")]
    [InlineData("0x")]
    [InlineData("0x1p")]
    [InlineData("1_0")]
    [InlineData("1d")]
    [InlineData("infinit")]
    [InlineData("infinityx")]
    [InlineData("1,5")]
    [InlineData("--1")]
    [InlineData("1..2")]
    [InlineData("1\u00002")]
    [InlineData("\u0000")]
    public void Rejects_what_redis_calls_not_a_valid_float(string text)
    {
        Assert.False(RedisNumber.TryParseDouble(Encoding.Latin1.GetBytes(text), out _));
    }

    [Fact]
    public void Parses_long_double_texts_without_a_length_limit()
    {
        // ZADD accepted a 6000-character score; only long doubles stop at 5119 characters.
        var text = Encoding.ASCII.GetBytes(new string('0', 5999) + "1");
        Assert.True(RedisNumber.TryParseDouble(text, out var value));
        Assert.Equal(1.0, value);
    }

    [Theory]
    [InlineData(0L, "0")]
    [InlineData(-1L, "-1")]
    [InlineData(long.MaxValue, "9223372036854775807")]
    [InlineData(long.MinValue, "-9223372036854775808")]
    public void Formats_integers(long value, string expected)
    {
        Span<byte> buffer = stackalloc byte[RedisNumber.MaxInt64Length];
        var written = RedisNumber.FormatInt64(value, buffer);
        Assert.Equal(expected, Encoding.ASCII.GetString(buffer[..written]));
    }

    [Theory]
    [InlineData(1.1, "1.1000000000000001")]
    [InlineData(0.1, "0.10000000000000001")]
    [InlineData(1e20, "1e+20")]
    [InlineData(1e17, "1e+17")]
    [InlineData(1e16, "10000000000000000")]
    [InlineData(12345678901234567.0, "12345678901234568")]
    [InlineData(1e-5, "1.0000000000000001e-05")]
    [InlineData(5e-5, "5.0000000000000002e-05")]
    [InlineData(1e-4, "0.0001")]
    [InlineData(9.9999999999999991e-5, "9.9999999999999991e-05")]
    [InlineData(123456789012345678.0, "1.2345678901234568e+17")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(100.0, "100")]
    [InlineData(3.141, "3.141")]
    [InlineData(0.0, "0")]
    [InlineData(-0.0, "-0")]
    [InlineData(1000000000000000.2, "1000000000000000.2")]
    [InlineData(123.456, "123.456")]
    [InlineData(1e100, "1e+100")]
    [InlineData(-1e-300, "-1e-300")]
    [InlineData(double.Epsilon, "4.9406564584124654e-324")]
    [InlineData(2.2250738585072014e-308, "2.2250738585072014e-308")]
    [InlineData(double.MaxValue, "1.7976931348623157e+308")]
    [InlineData(1152921504606846976.0, "1.152921504606847e+18")]
    [InlineData(double.PositiveInfinity, "inf")]
    [InlineData(double.NegativeInfinity, "-inf")]
    public void Formats_doubles_as_printf_17g(double value, string expected)
    {
        Assert.Equal(expected, Format17g(value));
    }

    [Fact]
    public void Rounds_exact_ties_to_even_like_glibc()
    {
        // 2^-25 = 2.98023223876953125e-08 and 3 * 2^-25 = 8.94069671630859375e-08 end in an exact 5.
        Assert.Equal("2.9802322387695312e-08", Format17g(Math.ScaleB(1, -25)));
        Assert.Equal("8.9406967163085938e-08", Format17g(Math.ScaleB(3, -25)));
    }

    [Fact]
    public void Formats_nan_after_its_sign_bit_like_glibc()
    {
        Assert.Equal("nan", Format17g(BitConverter.Int64BitsToDouble(0x7FF8000000000000)));
        Assert.Equal("-nan", Format17g(BitConverter.Int64BitsToDouble(unchecked((long)0xFFF8000000000000))));
    }

    [Theory]
    [InlineData(1.1, "1.10000000000000009")]
    [InlineData(0.1, "0.10000000000000001")]
    [InlineData(-0.0, "0")]
    [InlineData(1e20, "100000000000000000000")]
    [InlineData(2.5, "2.5")]
    [InlineData(1e-20, "0")]
    [InlineData(-123.456, "-123.45600000000000307")]
    [InlineData(double.PositiveInfinity, "inf")]
    [InlineData(double.NegativeInfinity, "-inf")]
    public void Formats_long_doubles_for_humans(double value, string expected)
    {
        Span<byte> buffer = stackalloc byte[64];
        var written = RedisNumber.FormatLongDoubleHuman(value, buffer);
        Assert.Equal(expected, Encoding.ASCII.GetString(buffer[..written]));
    }

    [Theory]
        [InlineData("10.50", "0.1", "10.6")]
        [InlineData("0.1", "0.2", "0.3")]
        [InlineData("5.0e3", "2.0e2", "5200")]
        [InlineData("3", "1.5", "4.5")]
        [InlineData("1e20", "1", "100000000000000000000")]
        [InlineData("1e20", "0.1", "100000000000000000000")]
        [InlineData("0", "0", "0")]
        [InlineData("0", "-0", "0")]
        [InlineData("-0", "-0", "0")]
        [InlineData("10", "-10", "0")]
        [InlineData("1.1", "-1.1", "0")]
        [InlineData("0.3", "-0.1", "0.2")]
        [InlineData("3.0", "0.1", "3.1")]
        [InlineData("17179869184", "1.5", "17179869185.5")]
        [InlineData("1", "0.000003814697265625", "1.00000381469726562")]
        [InlineData("1", "0.000003814697265626", "1.00000381469726563")]
        [InlineData("1.00000000000000000", "1e-17", "1.00000000000000001")]
        [InlineData("1", "1e-18", "1")]
        [InlineData("1", "5e-18", "1")]
        [InlineData("1", "6e-18", "1.00000000000000001")]
        [InlineData("0", "1e-17", "0.00000000000000001")]
        [InlineData("0", "5e-18", "0")]
        [InlineData("0", "4e-18", "0")]
        [InlineData("-0", "-1e-20", "0")]
        [InlineData("9223372036854775807", "1", "9223372036854775808")]
        [InlineData("-9223372036854775808", "-1", "-9223372036854775809")]
        [InlineData("123", "0.5", "123.5")]
        [InlineData("123", "-123.5", "-0.5")]
        [InlineData("1.5e-5", "2.5e-5", "0.00004")]
        [InlineData("1e-30", "0", "0")]
        [InlineData("1e4932", "1e4932", "ERR increment would produce NaN or Infinity")]
        [InlineData("1.18e4932", "0.01e4932", "ERR increment would produce NaN or Infinity")]
        [InlineData("1e-4950", "0", "0")]
        [InlineData("1e-4960", "1", "ERR value is not a valid float")]
        [InlineData("0x10", "0x1p-4", "16.0625")]
        [InlineData("0X1P3", "1", "9")]
        [InlineData("inf", "1", "ERR increment would produce NaN or Infinity")]
        [InlineData("1", "-inf", "ERR increment would produce NaN or Infinity")]
        [InlineData("+inf", "-inf", "ERR increment would produce NaN or Infinity")]
        [InlineData("nan", "1", "ERR value is not a valid float")]
        [InlineData("1", " 1", "ERR value is not a valid float")]
        [InlineData("1 ", "1", "ERR value is not a valid float")]
        [InlineData("", "1", "ERR value is not a valid float")]
        [InlineData("1", "abc", "ERR value is not a valid float")]
        [InlineData("1", "1e", "ERR value is not a valid float")]
        [InlineData("abc", "1", "ERR value is not a valid float")]
        [InlineData("3.14159265358979323846", "2.71828182845904523536", "5.85987448204883847")]
        [InlineData("-3.14159265358979", "0.00000000000001", "-3.14159265358978")]
        [InlineData("0.1", "0.7", "0.8")]
        [InlineData("99.99", "0.01", "100")]
        [InlineData("0.000001", "0.000002", "0.000003")]
        [InlineData("12345678901234567890", "1", "12345678901234567891")]
        [InlineData("1234567.891", "-0.891", "1234567")]
        [InlineData("2.5", "2.5", "5")]
        [InlineData("-5", "2", "-3")]
        [InlineData("1e-5", "1e-5", "0.00002")]
        [InlineData("0.1", "0.1", "0.2")]
        [InlineData("100", "-0.001", "99.999")]
        [InlineData("1e10", "1e-10", "10000000000")]
        [InlineData("4.35", "0.01", "4.36")]
        [InlineData("5.1", "-0.0000000000000000001", "5.1")]
        [InlineData("1.", "0.5", "1.5")]
        [InlineData(".5", ".25", "0.75")]
        [InlineData("+1.5", "+1.5", "3")]
        [InlineData("1e+2", "1E-2", "100.01")]
        [InlineData("33.3333333333333333333333", "66.6666666666666666666667", "100")]
        [InlineData("0.00000000000000001", "0.00000000000000001", "0.00000000000000002")]
        [InlineData("0.000000000000000005", "0", "0")]
        [InlineData("0.000000000000000015", "0", "0.00000000000000002")]
        [InlineData("0.000000000000000025", "0", "0.00000000000000002")]
        [InlineData("-1e-400", "0", "0")]
        [InlineData("1e17", "0.5", "100000000000000000.5")]
        [InlineData("123456789.123456789", "0.000000001", "123456789.12345678999554366")]
    public void Increments_like_redis_incrbyfloat(string current, string increment, string expected)
    {
        Assert.Equal(expected, IncrByFloat(current, increment));
    }

    [Theory]
        [InlineData("1e300", "1e300",
            "2000000000000000000017994648159118387741047888546581495876520164642531293192361871511698304167500994380700745017228549671807185112369345967826192521041497292574654271283687306588168510215212033579453305864740061102765895241989080589545563779241212358535223254194821301134374772211380178849830208012288")]
        [InlineData("1.7976931348623157e308", "1e308",
            "279769313486231570002352240441350078789299929179619934003987695617693370918830364684014944221042050987341155710361544171686148029276505307138777262321877129888036065002204239033812550598509174132739480498569620043582760541189365866551522561741435317031294527744011878159793174665688773926186886103199182225408")]
        [InlineData("1e400", "1",
            "10000000000000000000281880683947586514586453433629052038625910693539685534008629862039363994848324160522094053927317616200295822777259255734023828976593340661017797447434546173917862448116674971723778943824391593338047470675026246684401359237513603830343735485505244955964979021825038280091068414947402456898653040951017512658092615827588920183472511643316591362664138176309734806343732497430221946880")]
    public void Increments_huge_values_with_all_their_digits(string current, string increment, string expected)
    {
        Assert.Equal(expected, IncrByFloat(current, increment));
    }

    [Theory]
    [InlineData("abc", "abc", "ERR value is not a valid float")]
    [InlineData("abc", "1", "ERR hash value is not a float")]
    [InlineData(" 1", "1", "ERR hash value is not a float")]
    [InlineData("10.50", "0.1", "10.6")]
    [InlineData("10.50", "inf", "ERR value is NaN or Infinity")]
    [InlineData("abc", "-inf", "ERR value is NaN or Infinity")]
    [InlineData("abc", "nan", "ERR value is not a valid float")]
    [InlineData("1", "", "ERR value is not a valid float")]
    [InlineData("inf", "1", "ERR increment would produce NaN or Infinity")]
    [InlineData("1e4932", "1e4932", "ERR increment would produce NaN or Infinity")]
    [InlineData("0", "2.5", "2.5")]
    [InlineData("123", "0.5", "123.5")]
    [InlineData("0x10", "1", "17")]
    public void Increments_hash_fields_like_redis_hincrbyfloat(string current, string increment, string expected)
    {
        var buffer = new byte[RedisNumber.MaxLongDoubleChars];
        var result = RedisNumber.TryHashIncrByFloat(Encoding.ASCII.GetBytes(current), Encoding.ASCII.GetBytes(increment), buffer, out var written, out var error)
            ? Encoding.ASCII.GetString(buffer, 0, written)
            : error!;
        Assert.Equal(expected, result);
    }

    [Fact]
    public void Limits_long_double_texts_to_5119_characters()
    {
        Assert.Equal("2", IncrByFloat(new string('0', 5118) + "1", "1"));
        Assert.Equal(RedisNumber.NotAValidFloatError, IncrByFloat(new string('0', 5119) + "1", "1"));
        Assert.Equal(RedisNumber.NotAValidFloatError, IncrByFloat("1" + new string('0', 5118), "1"));
        Assert.True(RedisNumber.IsValidLongDouble(Encoding.ASCII.GetBytes(new string('0', 5118) + "1")));
        Assert.False(RedisNumber.IsValidLongDouble(Encoding.ASCII.GetBytes(new string('0', 5119) + "1")));
    }

    [Theory]
    [InlineData("1e400", true)]
    [InlineData("1e4932", true)]
    [InlineData("1e4933", false)]
    [InlineData("1e-4950", true)]
    [InlineData("1e-4960", false)]
    [InlineData("inf", true)]
    [InlineData("nan", false)]
    [InlineData("1\u00002", false)]
    public void Checks_the_wider_long_double_range(string text, bool valid)
    {
        Assert.Equal(valid, RedisNumber.IsValidLongDouble(Encoding.Latin1.GetBytes(text)));
    }

    [Fact]
    public void Fits_the_largest_result_in_max_long_double_chars()
    {
        var largest = IncrByFloat("1.18973149535723176e4932", "0");
        Assert.Equal(4933, largest.Length);
        Assert.StartsWith("11897314953572317599", largest);
        Assert.Throws<ArgumentException>(() => RedisNumber.TryIncrByFloat("1e30"u8, "0"u8, new byte[8], out _, out _));
    }

    [Fact]
    public void Parses_and_formats_without_allocating()
    {
        var buffer = new byte[RedisNumber.MaxLongDoubleChars];
        var integer = "-9223372036854775808"u8.ToArray();
        var real = "3.14159e-3"u8.ToArray();
        void Work()
        {
            RedisNumber.TryParseInt64(integer, out _);
            RedisNumber.TryParseDouble(real, out _);
            RedisNumber.FormatInt64(long.MinValue, buffer);
            RedisNumber.FormatDouble17g(1.1, buffer);
            RedisNumber.FormatDouble17g(1e-5, buffer);
            RedisNumber.TryIncrByFloat("10.50"u8, "0.1"u8, buffer, out _, out _);
            RedisNumber.TryIncrByFloat("1234567.891"u8, "-0.891"u8, buffer, out _, out _);
        }

        Work();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            Work();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static string Format17g(double value)
    {
        Span<byte> buffer = stackalloc byte[RedisNumber.MaxDouble17gLength];
        var written = RedisNumber.FormatDouble17g(value, buffer);
        return Encoding.ASCII.GetString(buffer[..written]);
    }

    private static string IncrByFloat(string current, string increment)
    {
        var buffer = new byte[RedisNumber.MaxLongDoubleChars];
        return RedisNumber.TryIncrByFloat(Encoding.Latin1.GetBytes(current), Encoding.Latin1.GetBytes(increment), buffer, out var written, out var error)
            ? Encoding.ASCII.GetString(buffer, 0, written)
            : error!;
    }
}
