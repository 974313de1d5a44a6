namespace LongMemory.Kernel.Benchmarks.Micro;

/// <summary>Representative chat texts for the micro-benchmarks.</summary>
internal static class ChatTexts
{
    public const string Short = "Caroline: I went to the LGBTQ support group yesterday and it was so powerful!";

    public const string Long =
        "Melanie: That's a great question. When I started painting again last summer I found that the hardest part was " +
        "making time for it every day, so I set up a small corner in the living room with my easel, the acrylics and a " +
        "lamp. The kids sometimes join me after school and we paint sunsets together; last week my son made one of the " +
        "lake we visited in July, with the canoe and the pine trees, and honestly it was better than mine. If you want " +
        "to try, start with cheap paper, three colours and a big brush, and don't worry about getting it right. It's " +
        "about the process, not the result. I also joined a pottery class on Thursdays, which has been really calming.";
}
