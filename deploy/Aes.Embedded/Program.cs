using Aes.Embedded;

return await EmbeddedMarketplace.RunAsync(args);
