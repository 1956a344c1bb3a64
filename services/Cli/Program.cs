using Aes.Cli;
using Spectre.Console;

var console = AnsiConsole.Console;
if (int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out var columns) && columns > 0)
{
    console.Profile.Width = columns;
}
else if (Console.IsOutputRedirected)
{
    // Piped into a file or another program: keep each row on one line.
    console.Profile.Width = 400;
}
return await AesCommandLine.Build(console).Parse(args).InvokeAsync();
