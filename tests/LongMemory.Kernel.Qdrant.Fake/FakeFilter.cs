using System.Globalization;
using Google.Protobuf.Collections;
using Qdrant.Client.Grpc;

namespace LongMemory.Kernel.Qdrant.Fake;

/// <summary>Qdrant's filter semantics over stored points: must / must_not / should (with min_should), field matches, ranges, has_id.</summary>
internal static class FakeFilter
{
    /// <summary>Rejects a filter the way the server does, before any point is looked at.</summary>
    public static void Validate(Filter? filter)
    {
        if (filter is null)
        {
            return;
        }

        foreach (var condition in filter.Must.Concat(filter.MustNot).Concat(filter.Should).Concat(filter.MinShould?.Conditions ?? []))
        {
            Validate(condition);
        }
    }

    public static bool Matches(Filter? filter, FakePoint point)
    {
        if (filter is null)
        {
            return true;
        }

        if (!filter.Must.All(c => Matches(c, point)) || filter.MustNot.Any(c => Matches(c, point)))
        {
            return false;
        }

        if (filter.Should.Count > 0 && !filter.Should.Any(c => Matches(c, point)))
        {
            return false;
        }

        return filter.MinShould is not { } minShould || minShould.Conditions.Count(c => Matches(c, point)) >= (int)minShould.MinCount;
    }

    private static void Validate(Condition condition)
    {
        switch (condition.ConditionOneOfCase)
        {
            case Condition.ConditionOneOfOneofCase.Field:
                var field = condition.Field;
                if (string.IsNullOrEmpty(field.Key))
                {
                    throw QdrantErrors.WrongInput("field condition has an empty key");
                }

                var set = (field.Match is null ? 0 : 1) + (field.Range is null ? 0 : 1) + (field.DatetimeRange is null ? 0 : 1) +
                    (field.HasIsEmpty ? 1 : 0) + (field.HasIsNull ? 1 : 0);
                if (field.GeoBoundingBox is not null || field.GeoRadius is not null || field.GeoPolygon is not null || field.ValuesCount is not null)
                {
                    throw QdrantErrors.NotModelled("geo and values_count conditions");
                }

                if (set == 0)
                {
                    throw QdrantErrors.BadRequest($"condition on key '{field.Key}' has no match, range or other clause");
                }

                if (field.Match is { } match)
                {
                    switch (match.MatchValueCase)
                    {
                        case Match.MatchValueOneofCase.None:
                            throw QdrantErrors.BadRequest($"match on key '{field.Key}' has no value");
                        case Match.MatchValueOneofCase.Text or Match.MatchValueOneofCase.Phrase or Match.MatchValueOneofCase.TextAny or Match.MatchValueOneofCase.Prefix:
                            throw QdrantErrors.NotModelled("full-text match conditions");
                    }
                }

                if (field.DatetimeRange is { } range && range.Lt is null && range.Gt is null && range.Gte is null && range.Lte is null)
                {
                    throw QdrantErrors.BadRequest($"datetime_range on key '{field.Key}' has no bound");
                }

                break;
            case Condition.ConditionOneOfOneofCase.Filter:
                Validate(condition.Filter);
                break;
            case Condition.ConditionOneOfOneofCase.HasId:
                foreach (var id in condition.HasId.HasId)
                {
                    FakePoint.KeyOf(id);
                }

                break;
            case Condition.ConditionOneOfOneofCase.IsEmpty:
            case Condition.ConditionOneOfOneofCase.IsNull:
                break;
            case Condition.ConditionOneOfOneofCase.None:
                throw QdrantErrors.BadRequest("empty condition");
            default:
                throw QdrantErrors.NotModelled($"{condition.ConditionOneOfCase} conditions");
        }
    }

    private static bool Matches(Condition condition, FakePoint point) => condition.ConditionOneOfCase switch
    {
        Condition.ConditionOneOfOneofCase.Field => Matches(condition.Field, point.Payload),
        Condition.ConditionOneOfOneofCase.Filter => Matches(condition.Filter, point),
        Condition.ConditionOneOfOneofCase.HasId => condition.HasId.HasId.Any(id => FakePoint.KeyOf(id) == point.Key),
        Condition.ConditionOneOfOneofCase.IsEmpty => Values(point.Payload, condition.IsEmpty.Key).All(v => v.KindCase == Value.KindOneofCase.NullValue),
        Condition.ConditionOneOfOneofCase.IsNull => Values(point.Payload, condition.IsNull.Key).Any(v => v.KindCase == Value.KindOneofCase.NullValue),
        _ => false,
    };

    private static bool Matches(FieldCondition field, MapField<string, Value> payload)
    {
        var values = Values(payload, field.Key).ToList();
        if (field.HasIsEmpty && field.IsEmpty != values.All(v => v.KindCase == Value.KindOneofCase.NullValue))
        {
            return false;
        }

        if (field.HasIsNull && field.IsNull != values.Any(v => v.KindCase == Value.KindOneofCase.NullValue))
        {
            return false;
        }

        if (field.Match is { } match && !values.Any(v => Matches(match, v)) && !IsExcept(match))
        {
            return false;
        }

        if (field.Match is { } except && IsExcept(except) && values.Any(v => !Matches(except, v)))
        {
            return false;
        }

        if (field.Range is { } range && !values.Any(v => Number(v) is { } n &&
                (!range.HasLt || n < range.Lt) && (!range.HasGt || n > range.Gt) && (!range.HasGte || n >= range.Gte) && (!range.HasLte || n <= range.Lte)))
        {
            return false;
        }

        if (field.DatetimeRange is { } times && !values.Any(v => Time(v) is { } t &&
                (times.Lt is null || t < times.Lt.ToDateTimeOffset()) && (times.Gt is null || t > times.Gt.ToDateTimeOffset()) &&
                (times.Gte is null || t >= times.Gte.ToDateTimeOffset()) && (times.Lte is null || t <= times.Lte.ToDateTimeOffset())))
        {
            return false;
        }

        return true;
    }

    private static bool IsExcept(Match match) => match.MatchValueCase is Match.MatchValueOneofCase.ExceptKeywords or Match.MatchValueOneofCase.ExceptIntegers;

    private static bool Matches(Match match, Value value) => match.MatchValueCase switch
    {
        Match.MatchValueOneofCase.Keyword => value.KindCase == Value.KindOneofCase.StringValue && value.StringValue == match.Keyword,
        Match.MatchValueOneofCase.Keywords => value.KindCase == Value.KindOneofCase.StringValue && match.Keywords.Strings.Contains(value.StringValue),
        Match.MatchValueOneofCase.ExceptKeywords => value.KindCase != Value.KindOneofCase.StringValue || !match.ExceptKeywords.Strings.Contains(value.StringValue),
        Match.MatchValueOneofCase.Integer => value.KindCase == Value.KindOneofCase.IntegerValue && value.IntegerValue == match.Integer,
        Match.MatchValueOneofCase.Integers => value.KindCase == Value.KindOneofCase.IntegerValue && match.Integers.Integers.Contains(value.IntegerValue),
        Match.MatchValueOneofCase.ExceptIntegers => value.KindCase != Value.KindOneofCase.IntegerValue || !match.ExceptIntegers.Integers.Contains(value.IntegerValue),
        Match.MatchValueOneofCase.Boolean => value.KindCase == Value.KindOneofCase.BoolValue && value.BoolValue == match.Boolean,
        _ => false,
    };

    /// <summary>The values at a key: a dotted path into nested objects, arrays flattened as Qdrant does.</summary>
    private static IEnumerable<Value> Values(MapField<string, Value> payload, string key)
    {
        var parts = key.Split('.');
        if (!payload.TryGetValue(parts[0], out var current))
        {
            return [];
        }

        IEnumerable<Value> values = [current];
        foreach (var part in parts.Skip(1))
        {
            values = values.SelectMany(v => v.KindCase == Value.KindOneofCase.StructValue && v.StructValue.Fields.TryGetValue(part, out var child) ? [child] : Array.Empty<Value>());
        }

        return values.SelectMany(v => v.KindCase == Value.KindOneofCase.ListValue ? v.ListValue.Values : [v]);
    }

    private static double? Number(Value value) => value.KindCase switch
    {
        Value.KindOneofCase.IntegerValue => value.IntegerValue,
        Value.KindOneofCase.DoubleValue => value.DoubleValue,
        _ => null,
    };

    private static DateTimeOffset? Time(Value value) =>
        value.KindCase == Value.KindOneofCase.StringValue &&
        DateTimeOffset.TryParse(value.StringValue, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : null;
}
