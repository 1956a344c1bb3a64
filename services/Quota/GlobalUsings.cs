global using Aes.Messaging;
global using Aes.ServiceDefaults.Errors;
global using Aes.Quota.Data;
global using MassTransit;
global using Microsoft.EntityFrameworkCore;
