using Spectre.Console;

namespace MLNet.TensorCompression.Cli;

/// <summary>
/// Shows a command's progress on stderr: a live bar with the elapsed and remaining time when stderr is a terminal
/// (Spectre.Console), plain lines otherwise (CI, a redirected stderr, tests), or nothing with --quiet. The library reports
/// steps as lines; each line that starts a known step advances the bar by that step's weight.
/// </summary>
internal sealed class ProgressDisplay
{
    private readonly TextWriter error;
    private readonly bool quiet;
    private readonly IReadOnlyList<(string Prefix, double Weight)> steps;
    private readonly double total;

    /// <param name="error">Where plain lines go (stderr, or a test's writer).</param>
    /// <param name="quiet">Nothing at all.</param>
    /// <param name="steps">Line prefixes that mark a step, with its share of the work, e.g. ("re-fitted ", 5).</param>
    /// <param name="total">The sum of the weights of every step the run will take.</param>
    public ProgressDisplay(TextWriter error, bool quiet, IReadOnlyList<(string Prefix, double Weight)> steps, double total)
    {
        this.error = error;
        this.quiet = quiet;
        this.steps = steps;
        this.total = Math.Max(total, 1);
    }

    /// <summary>Runs <paramref name="work"/>, giving it the progress callback to report through, or null when quiet.</summary>
    public T Run<T>(string title, Func<Action<string>?, T> work)
    {
        if (quiet) return work(null);
        if (!IsTerminal) return work(message => error.WriteLine($"  {message}"));
        // Told, not detected: Spectre judges interactivity by stdout, which a report redirected to a file would turn off.
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error), Ansi = AnsiSupport.Yes, Interactive = InteractionSupport.Yes });
        return console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context =>
            {
                var task = context.AddTask(Markup.Escape(title), maxValue: total);
                var result = work(message =>
                {
                    // The line stays in the scroll-back above the bar, as in plain mode.
                    console.MarkupLine($"  [grey]{Markup.Escape(message)}[/]");
                    var step = steps.FirstOrDefault(s => message.StartsWith(s.Prefix, StringComparison.Ordinal));
                    if (step.Prefix is not null) task.Increment(step.Weight);
                });
                task.Value = total;
                return result;
            });
    }

    /// <summary>True when stderr is the process's own and a terminal (not redirected, not a test's writer).</summary>
    private bool IsTerminal => ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("TERM") is not "dumb";
}
