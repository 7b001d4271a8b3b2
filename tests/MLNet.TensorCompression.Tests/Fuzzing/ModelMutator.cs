using Google.Protobuf;
using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Tests.Fuzzing;

/// <summary>One mutated model: the bytes to load and what was done to the original, for reports.</summary>
/// <param name="Bytes">The mutated serialized model.</param>
/// <param name="Description">The mutation, e.g. "flip 3 bytes at 120, 4000, 9000".</param>
internal sealed record MutatedModel(byte[] Bytes, string Description);

/// <summary>
/// Seeded mutations of a serialized ONNX model for fuzzing the reader, the layer finder and the compressor: raw byte
/// damage (truncation, flips, overwrites, insertions, deletions) and structured edits of the parsed
/// <see cref="ModelProto"/> (dropped or duplicated nodes, dangling inputs, wrong dims, NaN weights, bad Conv
/// attributes, wrong data types). The same seed always gives the same mutation of the same model.
/// </summary>
internal sealed class ModelMutator
{
    private static readonly int[] DataTypes = [0, 2, 3, 6, 7, 8, 9, 10, 11, 16, 99];
    private readonly byte[] original;
    private readonly ModelProto parsed;

    /// <param name="original">The serialized model to mutate; it must parse.</param>
    public ModelMutator(byte[] original)
    {
        this.original = original;
        parsed = ModelProto.Parser.ParseFrom(original);
    }

    /// <summary>The mutation for <paramref name="seed"/>: half of the seeds damage bytes, half edit the parsed model.</summary>
    public MutatedModel Mutate(int seed)
    {
        var random = new Random(seed);
        return random.Next(2) == 0 ? MutateBytes(random) : MutateStructure(random);
    }

    private MutatedModel MutateBytes(Random random)
    {
        var bytes = original;
        switch (random.Next(5))
        {
            case 0:
            {
                var length = random.Next(bytes.Length);
                return new MutatedModel(bytes[..length], $"truncate to {length} of {bytes.Length} bytes");
            }
            case 1:
            {
                var copy = (byte[])bytes.Clone();
                var positions = Positions(random, copy.Length);
                foreach (var position in positions)
                {
                    copy[position] ^= (byte)(1 << random.Next(8));
                }

                return new MutatedModel(copy, $"flip a bit in {positions.Length} bytes at {string.Join(", ", positions)}");
            }
            case 2:
            {
                var copy = (byte[])bytes.Clone();
                var positions = Positions(random, copy.Length);
                foreach (var position in positions)
                {
                    copy[position] = (byte)random.Next(256);
                }

                return new MutatedModel(copy, $"overwrite {positions.Length} bytes at {string.Join(", ", positions)}");
            }
            case 3:
            {
                var position = random.Next(bytes.Length + 1);
                var inserted = new byte[random.Next(1, 17)];
                random.NextBytes(inserted);
                return new MutatedModel([.. bytes[..position], .. inserted, .. bytes[position..]], $"insert {inserted.Length} bytes at {position}");
            }
            default:
            {
                var count = random.Next(1, 17);
                var position = random.Next(bytes.Length - count);
                return new MutatedModel([.. bytes[..position], .. bytes[(position + count)..]], $"delete {count} bytes at {position}");
            }
        }
    }

    private static int[] Positions(Random random, int length) =>
        Enumerable.Range(0, random.Next(1, 17)).Select(_ => random.Next(length)).Order().ToArray();

    private MutatedModel MutateStructure(Random random)
    {
        var model = parsed.Clone();
        var description = Edit(random, model);
        return new MutatedModel(model.ToByteArray(), description);
    }

    /// <summary>Applies one structured edit to <paramref name="model"/> in place and describes it.</summary>
    private static string Edit(Random random, ModelProto model)
    {
        var graph = model.Graph;
        string description;
        switch (random.Next(10))
        {
            case 0 when graph.Node.Count > 0:
            {
                var index = random.Next(graph.Node.Count);
                description = $"drop node {index} '{graph.Node[index].Name}' ({graph.Node[index].OpType})";
                graph.Node.RemoveAt(index);
                break;
            }
            case 1 when graph.Initializer.Count > 0:
            {
                var index = random.Next(graph.Initializer.Count);
                description = $"drop initializer '{graph.Initializer[index].Name}'";
                graph.Initializer.RemoveAt(index);
                break;
            }
            case 2 when graph.Input.Count > 0:
            {
                var index = random.Next(graph.Input.Count);
                description = $"drop graph input '{graph.Input[index].Name}'";
                graph.Input.RemoveAt(index);
                break;
            }
            case 3 when graph.Node.Any(n => n.Input.Count > 0):
            {
                var node = Pick(random, graph.Node.Where(n => n.Input.Count > 0).ToList());
                var slot = random.Next(node.Input.Count);
                description = $"rename input {slot} '{node.Input[slot]}' of node '{node.Name}' ({node.OpType}) to a missing name";
                node.Input[slot] = "fuzz_missing_tensor";
                break;
            }
            case 4 when graph.Initializer.Any(t => t.Dims.Count > 0):
            {
                var tensor = Pick(random, graph.Initializer.Where(t => t.Dims.Count > 0).ToList());
                var axis = random.Next(tensor.Dims.Count);
                long[] wrong = [0, tensor.Dims[axis] + 1, Math.Max(1, tensor.Dims[axis] - 1), -1, 1L << 40, long.MaxValue];
                var value = wrong[random.Next(wrong.Length)];
                description = $"set dim {axis} of initializer '{tensor.Name}' from {tensor.Dims[axis]} to {value}";
                tensor.Dims[axis] = value;
                break;
            }
            case 5 when graph.Initializer.Any(t => t.DataType == (int)TensorProto.Types.DataType.Float && ElementCount(t) > 0):
            {
                var tensor = Pick(random, graph.Initializer.Where(t => t.DataType == (int)TensorProto.Types.DataType.Float && ElementCount(t) > 0).ToList());
                float[] special = [float.NaN, float.PositiveInfinity, float.NegativeInfinity];
                var value = special[random.Next(special.Length)];
                var index = random.Next(ElementCount(tensor));
                description = $"set element {index} of initializer '{tensor.Name}' to {value}";
                if (tensor.RawData.Length > 0)
                {
                    var raw = tensor.RawData.ToByteArray();
                    BitConverter.TryWriteBytes(raw.AsSpan(index * sizeof(float)), value);
                    tensor.RawData = ByteString.CopyFrom(raw);
                }
                else
                {
                    tensor.FloatData[index] = value;
                }

                break;
            }
            case 6 when graph.Node.Any(n => n.OpType == "Conv"):
            {
                var conv = Pick(random, graph.Node.Where(n => n.OpType == "Conv").ToList());
                description = MutateConvAttribute(random, conv);
                break;
            }
            case 7 when graph.Initializer.Count > 0:
            {
                var tensor = Pick(random, graph.Initializer.ToList());
                var type = DataTypes[random.Next(DataTypes.Length)];
                description = $"set data_type of initializer '{tensor.Name}' from {tensor.DataType} to {type}";
                tensor.DataType = type;
                break;
            }
            case 8 when graph.Node.Count > 0:
            {
                var index = random.Next(graph.Node.Count);
                var at = random.Next(graph.Node.Count + 1);
                description = $"duplicate node {index} '{graph.Node[index].Name}' ({graph.Node[index].OpType}) at {at}";
                graph.Node.Insert(at, graph.Node[index].Clone());
                break;
            }
            case 9:
            {
                // Two structured edits at once, drawn from the cases above.
                var first = Edit(random, model);
                description = $"{first}; then {Edit(random, model)}";
                break;
            }
            default:
                description = "no edit: the graph has nothing this edit applies to";
                break;
        }

        return description;
    }

    private static string MutateConvAttribute(Random random, NodeProto conv)
    {
        AttributeProto Attribute(string name, AttributeProto.Types.AttributeType type)
        {
            var attribute = conv.Attribute.FirstOrDefault(a => a.Name == name);
            if (attribute is null)
            {
                attribute = new AttributeProto { Name = name, Type = type };
                conv.Attribute.Add(attribute);
            }

            return attribute;
        }

        switch (random.Next(5))
        {
            case 0:
            {
                long[] groups = [2, 0, -1, 3];
                var group = groups[random.Next(groups.Length)];
                Attribute("group", AttributeProto.Types.AttributeType.Int).I = group;
                return $"set group={group} on Conv '{conv.Name}'";
            }
            case 1:
            {
                var kernel = Attribute("kernel_shape", AttributeProto.Types.AttributeType.Ints);
                var rank = random.Next(0, 4);
                kernel.Ints.Clear();
                kernel.Ints.Add(Enumerable.Repeat(3L, rank));
                return $"set kernel_shape to rank {rank} on Conv '{conv.Name}'";
            }
            case 2:
            {
                var pads = Attribute("pads", AttributeProto.Types.AttributeType.Ints);
                pads.Ints.Clear();
                pads.Ints.Add(Enumerable.Range(0, random.Next(1, 6)).Select(_ => (long)random.Next(-2, 3)));
                return $"set pads=[{string.Join(",", pads.Ints)}] on Conv '{conv.Name}'";
            }
            case 3:
            {
                var strides = Attribute("strides", AttributeProto.Types.AttributeType.Ints);
                strides.Ints.Clear();
                strides.Ints.Add(Enumerable.Range(0, random.Next(1, 4)).Select(_ => (long)random.Next(-1, 3)));
                return $"set strides=[{string.Join(",", strides.Ints)}] on Conv '{conv.Name}'";
            }
            default:
            {
                var dilations = Attribute("dilations", AttributeProto.Types.AttributeType.Ints);
                dilations.Ints.Clear();
                dilations.Ints.Add(Enumerable.Range(0, random.Next(1, 4)).Select(_ => (long)random.Next(0, 3)));
                return $"set dilations=[{string.Join(",", dilations.Ints)}] on Conv '{conv.Name}'";
            }
        }
    }

    private static T Pick<T>(Random random, List<T> items) => items[random.Next(items.Count)];

    private static int ElementCount(TensorProto tensor) =>
        tensor.RawData.Length > 0 ? tensor.RawData.Length / sizeof(float) : tensor.FloatData.Count;
}
