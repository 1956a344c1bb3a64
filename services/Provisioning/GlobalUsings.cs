global using Aes.Messaging;
global using Aes.ServiceDefaults.Errors;
global using Aes.Provisioning.Data;
global using Aes.Provisioning.Domain;
global using MassTransit;
global using Microsoft.EntityFrameworkCore;
global using Aes.Messaging.Persistence;
