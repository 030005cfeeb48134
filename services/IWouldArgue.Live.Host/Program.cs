IWouldArgue.Live.Host.LiveHost.Create(args).Run();
