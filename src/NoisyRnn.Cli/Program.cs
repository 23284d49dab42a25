return NoisyRnn.Cli.CliApp.Run(args);
