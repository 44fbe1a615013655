using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Yardmaster.Server;

/// <summary>The ASP.NET Core host of <c>yard serve</c> and <c>yard model-server</c>.</summary>
public static class ServerHost
{
    /// <summary>
    /// A builder that reads no configuration of its own, only what yard passes it. The default builders read
    /// <c>appsettings.json</c> from the working directory and <c>ASPNETCORE_</c>/<c>DOTNET_</c> environment variables, where a
    /// <c>Kestrel:Endpoints</c> section opens listeners that the exposure rule never saw (for instance on 0.0.0.0), and
    /// they watch the working directory for changes to that file.
    /// </summary>
    public static WebApplicationBuilder CreateBuilder()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseKestrelCore();
        builder.Services.AddRoutingCore();
        return builder;
    }
}
