using System.Buffers;
using System.Text;
using OrleansReplica.Protocol.Resp;
using OrleansReplica.Protocol.Tests.Support;

namespace OrleansReplica.Protocol.Tests.Resp;

public sealed class AllocationTests
{
    [Fact]
    public void Reading_and_replying_to_a_pipelined_batch_allocates_nothing_after_warm_up()
    {
        byte[] batch = BuildBatch();
        var segmented = Segments.SplitAt(batch, [.. Enumerable.Range(1, batch.Length / 100).Select(i => i * 100)]);
        var reader = new RespRequestReader();
        var args = new CommandArguments();
        var output = new ArrayBufferWriter<byte>(256 * 1024);
        var resp2 = new RespWriter(output);
        var resp3 = new RespWriter(output) { Protocol = RespProtocol.Resp3 };

        int Run()
        {
            int requests = ReadContiguous(batch, reader, args, resp2) + ReadSegmented(segmented, reader, args, resp3);
            output.ResetWrittenCount();
            return requests;
        }

        for (int i = 0; i < 50; i++)
        {
            Run();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        int total = 0;
        for (int i = 0; i < 200; i++)
        {
            total += Run();
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(200 * 2 * 303, total);
        Assert.Equal(0, allocated);
    }

    private static int ReadContiguous(byte[] batch, RespRequestReader reader, CommandArguments args, RespWriter writer)
    {
        int offset = 0;
        int requests = 0;
        while (reader.TryRead(batch.AsMemory(offset), args, out int consumed, out _) == RespParseStatus.Complete)
        {
            Reply(args, writer);
            offset += consumed;
            requests++;
        }

        return requests;
    }

    private static int ReadSegmented(ReadOnlySequence<byte> batch, RespRequestReader reader, CommandArguments args, RespWriter writer)
    {
        int requests = 0;
        while (reader.TryRead(batch, args, out long consumed, out _) == RespParseStatus.Complete)
        {
            Reply(args, writer);
            batch = batch.Slice(consumed);
            requests++;
        }

        return requests;
    }

    private static void Reply(CommandArguments args, RespWriter writer)
    {
        var name = args[0];
        if (name.SequenceEqual("SET"u8))
        {
            writer.WriteOk();
        }
        else if (name.SequenceEqual("GET"u8))
        {
            writer.WriteBulkString(args[1]);
        }
        else
        {
            writer.WriteInteger(args.Count);
            writer.WriteBulkString(args.RawFrame.Length);
            writer.WriteDouble(args.Count / 3.0);
            writer.WriteMapHeader(1);
            writer.WriteSimpleString("k"u8);
            writer.WriteNullBulk();
            writer.WriteBoolean(true);
            writer.WriteError("ERR x");
        }
    }

    // 150 SETs and 150 GETs as multibulk, plus three inline requests (one quoted).
    private static byte[] BuildBatch()
    {
        var text = new StringBuilder();
        for (int i = 0; i < 150; i++)
        {
            string key = $"key:{i}";
            string value = new('v', i % 40);
            text.Append($"*3\r\n$3\r\nSET\r\n${key.Length}\r\n{key}\r\n${value.Length}\r\n{value}\r\n");
            text.Append($"*2\r\n$3\r\nGET\r\n${key.Length}\r\n{key}\r\n");
        }

        text.Append("GET key:1\r\nECHO \"a\\x41 b\" 'c'\r\nPING\n");
        return Latin1.Bytes(text.ToString());
    }
}
