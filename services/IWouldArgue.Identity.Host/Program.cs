IWouldArgue.Identity.Host.IdentityHost.Create(args).Run();
