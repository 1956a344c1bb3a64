using Aes.AccessMatrix;

var path = args.Length > 0 ? args[0] : AccessMatrixDocument.DefaultPath(Directory.GetCurrentDirectory());
File.WriteAllText(path, AccessMatrixDocument.Generate());
Console.WriteLine($"{path} : réécrit depuis les règles d'accès, à relire dans le diff / rewritten from the access rules, to review in the diff.");
