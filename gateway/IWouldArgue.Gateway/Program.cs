using IWouldArgue.Gateway;

GatewayApp.Create(args).Run();
