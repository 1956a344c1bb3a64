global using Aes.Messaging;
global using Aes.ServiceDefaults.Errors;
global using Aes.Tenancy.Data;
global using Aes.Tenancy.Domain;
global using Microsoft.EntityFrameworkCore;
global using Aes.Contracts;
