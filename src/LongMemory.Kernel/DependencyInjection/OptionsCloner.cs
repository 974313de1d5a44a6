using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace LongMemory.Kernel;

/// <summary>
/// Deep-copies an options object: every public read/write property, recursing into nested options classes of this
/// library (<see cref="ContextOptions"/>, <see cref="HierarchicalChatReducerOptions"/>, ...), so a setting added later is
/// copied too and the copy never shares a mutable object with the caller's options.
/// </summary>
internal static class OptionsCloner
{
    public static T Clone<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] T>(T source)
        where T : class, new()
        => (T)CloneObject(source, typeof(T));

    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "Options classes of this assembly keep their public properties and constructors.")]
    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "Options classes of this assembly keep their public properties and constructors.")]
    private static object CloneObject(object source, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] Type type)
    {
        var copy = Activator.CreateInstance(type)!;
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (!property.CanRead || property.SetMethod is not { IsPublic: true } || property.GetIndexParameters().Length > 0)
            {
                continue;
            }

            var value = property.GetValue(source);
            if (value is not null && IsOptionsClass(property.PropertyType))
            {
                value = CloneObject(value, value.GetType());
            }

            property.SetValue(copy, value);
        }

        return copy;
    }

    private static bool IsOptionsClass(Type type)
        => type.IsClass && type != typeof(string) && type.Assembly == typeof(OptionsCloner).Assembly && type.GetConstructor(Type.EmptyTypes) is not null;
}
