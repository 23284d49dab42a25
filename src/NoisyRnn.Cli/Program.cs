using System.CommandLine;
using NoisyRnn.Cli.Commands;

var root = new RootCommand("NoisyRnn: noisy RNNs that path-integrate and reactivate their waking states in quiescence (Krishna et al., ICLR 2024).");
root.Subcommands.Add(ReproduceCommand.Create());
root.Subcommands.Add(InfoCommand.Create());
return root.Parse(args).Invoke();
