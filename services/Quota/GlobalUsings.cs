global using Aes.Messaging;
global using Aes.ServiceDefaults.Errors;
global using Aes.Quota.Data;
global using Aes.Quota.Domain;
global using MassTransit;
global using Microsoft.EntityFrameworkCore;
global using Aes.Messaging.Persistence;
global using Aes.Contracts;
