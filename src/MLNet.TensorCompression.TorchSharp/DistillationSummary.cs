namespace MLNet.TensorCompression.TorchSharp;

/// <summary>What a distillation run did, for its report line.</summary>
/// <param name="Steps">Optimiser steps taken.</param>
/// <param name="Epochs">Passes over the training rows that those steps make.</param>
/// <param name="Validations">Validations after the initial one; 0 when no rows were held back.</param>
/// <param name="Metric">What validation measured: "accuracy" with labels, otherwise "agreement with the original".</param>
/// <param name="InitialScore">The validation metric before the first step.</param>
/// <param name="BestScore">The best validation metric, whose factors were kept.</param>
/// <param name="BestStep">The step after which the kept factors were taken (0: the starting factors).</param>
/// <param name="StoppedEarly">Whether early stopping ended the run.</param>
/// <param name="Diverged">Whether steps in a row had a non-finite loss or gradients, which ended the run (the kept factors are from before).</param>
/// <param name="SkippedSteps">Steps not taken because their loss or a gradient was not finite.</param>
internal sealed record DistillationSummary(int Steps, double Epochs, int Validations, string Metric, double InitialScore, double BestScore, int BestStep, bool StoppedEarly, bool Diverged, int SkippedSteps);
