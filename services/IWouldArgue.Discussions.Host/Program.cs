IWouldArgue.Discussions.Host.DiscussionsHost.Create(args).Run();
