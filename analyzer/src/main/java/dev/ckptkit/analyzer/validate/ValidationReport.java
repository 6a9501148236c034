package dev.ckptkit.analyzer.validate;

import java.util.List;

/** What validate found: the verdict, the target it judged against, the rules run and their findings. */
public record ValidationReport(String image, String target, Verdict verdict, List<String> rules, List<Finding> findings) {}
