using MLNet.TensorCompression.Tensors;

namespace MLNet.TensorCompression.Cli;

/// <summary>Bad command-line arguments; the message says which.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>The help text and the bad-arguments exit.</summary>
internal static class Usage
{
    private const string Text = """
        mlnet-compress: compress ONNX CNNs with tensor-train (TT) and hierarchical-Tucker (HT) decompositions.

        Commands:
          compress <in.onnx> -o <out.onnx> [options]
              Replaces every large Conv, Gemm and MatMul weight by a TT or HT factorisation and writes a model whose
              factorised layers are ops of the ai.mlnet.tensorcompression domain (model-local functions: any ONNX
              Runtime runs it). Prints the per-layer report.
                --policy hybrid|tt|ht          conv → TT and fully connected → HT (hybrid, default), or all TT / all HT
                --max-rank R                   rank cap for every layer (default 16 when no tolerance or target is given)
                --tolerance E                  relative error per layer, ‖W − Ŵ‖ ≤ E‖W‖ (unless the rank cap binds)
                --target-ratio X               whole-model compression ratio, shared among the layers by --allocation;
                                               if even the smallest model misses it, that model is written and the exit is 1
                --best-effort                  exit 0 when the target ratio cannot be reached
                --allocation largest|total|uniform|output
                                               least largest per-layer error, least total squared error, one rank for every
                                               layer (default), or output error (needs --calibration)
                --layer NAME=tt|ht|dense[:R]   per-layer override; NAME may use * and ?; repeatable
                --mode auto|factorized|reconstructed
                                               run through the factors, or rebuild the dense weight at load (auto: fewer MACs)
                --tensor-layout split|interleaved
                                               split (default: runs as two Gemms N→r→M, or 1×1 → kh×kw → 1×1 convolutions;
                                               the more accurate at a target ratio), or modes pairing row and column
                                               factors (interleaved: most compression at a rank cap)
                --objective size|latency|balanced
                                               what each layer's layout and form are chosen for: size (default: as
                                               --tensor-layout and --mode say), latency (the fastest form, timed in ONNX
                                               Runtime on this machine; never one slower than the dense layer), or
                                               balanced (the most accurate form within 10% of the fastest)
                --batch B[,B…]                 batch sizes latency/balanced time each layer at (default 1,64)
                --inline                       plain ONNX ops instead of custom-domain functions
                --report FILE.md|FILE.json     also write the report to a file
                --quiet                        no progress on stderr (else a live bar on a terminal, step lines when redirected)
                --json                         print the report as JSON instead of the table
              With data (each compressed layer re-fitted to reproduce the original's activations):
                --calibration DATA             x.npy [N, …] (float32; float64/uint8 converted), a folder of .png/.jpg,
                                               images.idx3-ubyte, or rows.csv ("label,value,…"); the model's input
                                               declaration gives the sample shape, symbolic sizes taken from .npy/images
                --rows N                       read the first N samples (default 1000)
                --label FILE                   class labels of the samples (.npy or .idx1-ubyte), used by --distill
                                               (IDX labels beside the images and CSV's first column are read anyway)
                --distill EPOCHS               then train end to end against the original (knowledge distillation);
                                               needs the tool package MLNet.TensorCompression.Tool.Distillation (libtorch)
                --distill-loss auto|kl|mse|cosine|position-kl
                                               how every model output is compared with the original's (default auto:
                                               [N,C] → kl, [N,T,C] → position-kl, anything else, e.g. [N,C,1,1] → mse)
              Images (a folder as --calibration):
                --image-size HxW               resize to this (default: the size the model declares, else the images' own)
                --channels rgb|bgr|gray        channels and their order (default rgb)
                --layout nchw|nhwc             planar [C,H,W] (default) or interleaved [H,W,C] samples
                --mean M[,M,M] --std S[,S,S]   values (pixel/255 − mean)/std per channel (default 0 and 1: [0, 1])
                --preprocess pre.onnx          instead of --mean/--std: run this ONNX model on the raw pixels (0–255)
                                               and feed its output (e.g. ML.NET's ResNetPreprocess.onnx)
          inspect <model.onnx> [--json]
              Lists the layers with shapes, parameters and multiply-adds, and what the default plan does with each.
          evaluate <model.onnx> --data <images.idx3-ubyte|file.csv> [--json]
              Top-1 accuracy and ONNX Runtime latency of a single-input classifier on labelled data: IDX images with
              their …labels.idx1-ubyte beside them, or CSV rows "label,value,…".
          sweep <model.onnx> --data <labelled data> [--policies hybrid,tt,ht] [--ratios 5,10,20 | --ranks 8,16,32]
                [--allocation largest|total] [--layer NAME=tt|ht|dense[:R]]...
                [--calibration <labelled data> [--rows N]] [--plot FILE.png] [--json] [--quiet]
              Compresses under each policy at each ratio or rank cap (re-fitted on --calibration data when given) and
              prints the accuracy/size frontier; --plot also draws it. --allocation and --layer are compress's, applied
              to every point.

        Exit codes: 0 ok, 1 failure (reason on stderr), 2 bad arguments.

        Examples:
          mlnet-compress inspect samples/models/vgg-fashion.onnx
          mlnet-compress compress samples/models/vgg-fashion.onnx -o vgg-small.onnx --max-rank 16
          mlnet-compress compress samples/models/vgg-fashion.onnx -o vgg-small.onnx --target-ratio 10 --report report.md
          mlnet-compress compress samples/models/vgg-fashion.onnx -o vgg-fast.onnx --target-ratio 20 --objective latency --batch 1,64
          mlnet-compress compress samples/models/lenet5-fashion.onnx -o lenet-small.onnx --target-ratio 5 \
              --calibration samples/data/fashion-train-2000-images.idx3-ubyte --rows 500
          mlnet-compress compress resnet.onnx -o resnet-small.onnx --target-ratio 4 --calibration photos/ \
              --image-size 224x224 --mean 0.485,0.456,0.406 --std 0.229,0.224,0.225
          mlnet-compress evaluate vgg-small.onnx --data samples/data/fashion-test-2000-images.idx3-ubyte
          mlnet-compress sweep samples/models/lenet5-fashion.onnx --data samples/data/fashion-test-2000-images.idx3-ubyte --ratios 2,5 \
              --calibration samples/data/fashion-train-2000-images.idx3-ubyte --rows 500
        """;

    public static int Print(TextWriter output, int exitCode)
    {
        output.WriteLine(Text);
        return exitCode;
    }

    public static int Fail(TextWriter error, string reason)
    {
        // One line, like every other failure, so a script can read the reason from the last line of stderr.
        error.WriteLine($"mlnet-compress: {reason.ReplaceLineEndings(" ")} (run 'mlnet-compress --help' for usage)");
        return 2;
    }
}
